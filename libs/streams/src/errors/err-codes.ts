/** The server's JetStream `err_code`s this library reacts to, by name. */
export const ErrCode = {
  ClusterUnavailable: 10008,
  ClusterNotLeader: 10009,
  NoSuitablePeers: 10005,
  InsufficientResources: 10023,
  MemoryResourcesExceeded: 10028,
  JetStreamNotEnabledForAccount: 10039,
  StorageResourcesExceeded: 10047,
  InvalidConfig: 10052,
  StreamNameInUse: 10058,
  StreamNotFound: 10059,
  SubjectsOverlap: 10065,
  ReplicasNotSupported: 10074,
  JetStreamNotEnabled: 10076,
  ConsumerNotFound: 10014,
  ConsumerAlreadyExists: 10148,
  NoMessageFound: 10037,
  WrongLastSequence: 10071,
  StreamUpdateInProgress: 10226,
  StreamOffline: 10194,
  RequiredApiLevel: 10185,
} as const;

/** The server's answer to a failed JetStream API request. */
export interface ApiErrorBody {
  /** The HTTP-like status, e.g. 400, 404, 500, 503. */
  code: number;
  /** The JetStream error code, e.g. 10059 (stream not found). */
  err_code?: number;
  description?: string;
}
