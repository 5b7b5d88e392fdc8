import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import './scalars.js';
import './task-status.js';
import './task.js';
import './task-connection.js';
import './flow.js';
import './task-mutations.js';
import './queue.js';
import './schedule.js';
import './task-event.js';
import './task-stats.js';
import './task-log.js';
import './worker.js';
import './worker-protocol.js';

export const schema = lexicographicSortSchema(builder.toSchema());
