// The package's API: a server inside an app's process with the app's kinds, the kinds themselves,
// and what a handler uses. The command (task-executor serve | worker | create ...) is bin/.
export { createTaskServer, type TaskServer, type TaskServerOptions } from './task-server.js';
export type { ApiKeySetting, TaskServerSettings } from './settings.js';
export { defineKind, type DefinedKind, type KindDefinition } from './kinds/define-kind.js';
export { loadKindsModule, KindsModuleError, type KindExport, type KindsGiven } from './kinds/load-module.js';
export { TaskFailure, sleep, type TaskContext, type TaskDependency, type TaskHandler, type TaskKind } from './tasks/kind.js';
export type { JsonSchema, SchemaIssue } from './tasks/schemas.js';
export { ConfigError } from './config.js';
export { runRemoteWorker, type RemoteWorker, type RemoteWorkerOptions } from './remote-worker/index.js';
