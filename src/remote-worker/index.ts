// The worker that runs an app's task kinds over GraphQL, as a library: `task-executor worker` is
// this with a kinds module, a logger and signal handling.
export { runRemoteWorker, type RemoteWorker, type RemoteWorkerOptions } from './worker.js';
export { GraphQLRefusal, ServerUnreachable } from './graphql-client.js';
