// Object and enum references, declared once so feature modules can add fields to each
// other's types without import cycles. Each module's types.ts implements its own.
import type {
  ApiToken,
  AuditEntry,
  Event,
  Incident,
  IncidentUpdate,
  Maintenance,
  Membership,
  Organization,
  Service,
  User,
} from "../generated/prisma/client.ts";
import {
  IncidentStatus,
  MaintenanceStatus,
  Role,
  ServiceStatus,
  StatusEventKind,
  StatusSourceKind,
} from "../generated/prisma/enums.ts";
import type { IncidentServiceWithService } from "../lib/loaders.ts";
import type { StatusIndicator } from "../modules/services/domain.ts";
import { builder } from "./builder.ts";

const everywhere = { subGraphs: ["Admin", "Public"] as ("Admin" | "Public")[] };

export const RoleEnum = builder.enumType(Role, { name: "Role" });
export const ServiceStatusEnum = builder.enumType(ServiceStatus, { name: "ServiceStatus", ...everywhere });
export const IncidentStatusEnum = builder.enumType(IncidentStatus, { name: "IncidentStatus", ...everywhere });
export const MaintenanceStatusEnum = builder.enumType(MaintenanceStatus, { name: "MaintenanceStatus", ...everywhere });
export const StatusEventKindEnum = builder.enumType(StatusEventKind, { name: "StatusEventKind", ...everywhere });
export const StatusSourceKindEnum = builder.enumType(StatusSourceKind, { name: "StatusSourceKind", ...everywhere });
export const StatusIndicatorEnum = builder.enumType("StatusIndicator", {
  values: ["NONE", "MINOR", "MAJOR", "CRITICAL", "MAINTENANCE"] as const satisfies readonly StatusIndicator[],
  description: "Statuspage's page indicator, derived from the services' statuses.",
  ...everywhere,
});

export interface PageStatusShape {
  indicator: StatusIndicator;
  description: string;
  updatedAt: Date;
}

export const OrganizationRef = builder.objectRef<Organization>("Organization");
export const UserRef = builder.objectRef<User>("User");
export const MembershipRef = builder.objectRef<Membership>("Membership");
export const ApiTokenRef = builder.objectRef<ApiToken>("ApiToken");
export const AuditEntryRef = builder.objectRef<AuditEntry>("AuditEntry");
export const ServiceRef = builder.objectRef<Service>("Service");
export const IncidentRef = builder.objectRef<Incident>("Incident");
export const AffectedServiceRef = builder.objectRef<IncidentServiceWithService>("AffectedService");
export const IncidentUpdateRef = builder.objectRef<IncidentUpdate>("IncidentUpdate");
export const MaintenanceRef = builder.objectRef<Maintenance>("Maintenance");
export const PageStatusRef = builder.objectRef<PageStatusShape>("PageStatus");
/**
 * Who reads an event decides which of its objects they may see (modules/events/visibility.ts):
 * "public" on statusPageEvents, "member" on organizationEvents and Organization.events.
 */
export type EventAudience = "public" | "member";
export const StatusEventRef = builder.objectRef<Event & { audience: EventAudience }>("StatusEvent");
