/** EventType names the bookmark change that fires pipelines. */
export type EventType = "push" | "remove";

export const EVENT_TYPES: readonly EventType[] = ["push", "remove"];

/**
 * TemplateData is the value `.` refers to inside a config's templates. Field
 * names and types follow the original Go struct, so `{{.RepositoryID}}` is an
 * int32 and an unknown field is an execution error.
 */
export interface TemplateData {
  Rev: string;
  ArchiveUrl: string;
  Author: string;
  Description: string;
  AccessToken: string;
  ServerUrl: string;
  RepositoryID: number;
  Repository: string;
  RevisionId: string;
  EventType: string;
}

/** CiEvent is one bookmark change: what fired, and the data its templates see. */
export interface CiEvent {
  type: EventType;
  /** The bookmark name, matched against `on.<type>.bookmarks`. */
  bookmark: string;
  data: TemplateData;
}

/** Returns TemplateData with every field empty, overridden by `fields`. */
export function templateData(fields: Partial<TemplateData> = {}): TemplateData {
  return {
    Rev: "",
    ArchiveUrl: "",
    Author: "",
    Description: "",
    AccessToken: "",
    ServerUrl: "",
    RepositoryID: 0,
    Repository: "",
    RevisionId: "",
    EventType: "",
    ...fields,
  };
}
