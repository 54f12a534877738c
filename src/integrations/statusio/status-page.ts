/**
 * What the bot does on a public status page, in the project's own words. The status.io client in
 * `statusio-client.ts` implements it; handlers depend on this interface only.
 */

export type IncidentStatus =
  | 'operational'
  | 'planned-maintenance'
  | 'degraded-performance'
  | 'partial-disruption'
  | 'service-disruption'
  | 'security-event';

export type IncidentState = 'investigating' | 'identified' | 'monitoring';

/** The one place status and state names meet status.io's numeric codes. */
export const INCIDENT_STATUS_CODES = {
  operational: 100,
  'planned-maintenance': 200,
  'degraded-performance': 300,
  'partial-disruption': 400,
  'service-disruption': 500,
  'security-event': 600,
} as const satisfies Record<IncidentStatus, number>;

export const INCIDENT_STATE_CODES = {
  investigating: 100,
  identified: 200,
  monitoring: 300,
} as const satisfies Record<IncidentState, number>;

export interface MaintenanceSummary {
  id: string;
  name: string;
  plannedStart: Date | null;
  plannedEnd: Date | null;
  /** The text of the newest message, if status.io sent the messages. */
  latestDetails: string | null;
}

export interface IncidentSummary {
  id: string;
  name: string;
  openedAt: Date | null;
  latestDetails: string | null;
}

export interface StatusComponent {
  id: string;
  name: string;
  containers: { id: string; name: string }[];
}

export interface MaintenanceNotify {
  now?: boolean;
  hr72?: boolean;
  hr24?: boolean;
  hr1?: boolean;
}

/** What the bot does on a status page. */
export interface StatusPage {
  scheduleMaintenance(input: {
    title: string;
    details: string;
    start: Date;
    end: Date;
    /** "<component>-<container>" pairs; defaults to the configured list, empty = all infrastructure. */
    components?: string[];
    notify?: MaintenanceNotify;
    /** true lets status.io start and finish the window on its own. */
    automation?: boolean;
  }): Promise<{ id: string }>;
  startMaintenance(id: string, details: string): Promise<void>;
  updateMaintenance(id: string, details: string): Promise<void>;
  finishMaintenance(id: string, details: string): Promise<void>;
  /** Removes a maintenance from the page (a cancelled window); subscribers are not notified. */
  deleteMaintenance(id: string): Promise<void>;
  listMaintenances(): Promise<{ active: MaintenanceSummary[]; upcoming: MaintenanceSummary[]; resolved: MaintenanceSummary[] }>;
  createIncident(input: {
    title: string;
    details: string;
    status: IncidentStatus;
    state: IncidentState;
    components?: string[];
  }): Promise<{ id: string }>;
  updateIncident(id: string, input: { details: string; status: IncidentStatus; state: IncidentState }): Promise<void>;
  resolveIncident(id: string, details: string): Promise<void>;
  listIncidents(): Promise<{ active: IncidentSummary[]; resolved: IncidentSummary[] }>;
  components(): Promise<StatusComponent[]>;
}
