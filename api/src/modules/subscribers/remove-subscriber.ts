// removeSubscriber (admins): the same deletion as unsubscribing; nothing more is sent to the address.
import type { Context } from "../../context.ts";
import { notFound } from "../../graphql/errors.ts";
import { actorOf } from "../auth/viewer.ts";
import { deleteSubscriber } from "./unsubscribe.ts";

export async function removeSubscriber({ ctx, id, organizationId }: { ctx: Context; id: string; organizationId: string }): Promise<string> {
  if (!(await deleteSubscriber(ctx, id, organizationId, actorOf(ctx.viewer), "subscriber.remove"))) throw notFound("Subscriber");
  return id;
}
