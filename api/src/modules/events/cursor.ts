// Event cursors are opaque to clients. Inside they are the position in the organisation's
// log, fixed-width so that comparing two cursors as strings orders them like positions.
import { badInput } from "../../graphql/errors.ts";

const WIDTH = 16;

export function encodeCursor(position: bigint): string {
  return position.toString().padStart(WIDTH, "0");
}

export function decodeCursor(cursor: string, field = "after"): bigint {
  if (!/^\d{16}$/.test(cursor)) throw badInput("This cursor is not one the server handed out.", field);
  return BigInt(cursor);
}
