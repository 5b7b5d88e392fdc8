// Task.logs: the log lines of a task (ctx.log in a handler, appendTaskLog from an external worker),
// oldest first. Each line is also a 'log' event that taskEvents carries live.
import { resolveCursorConnection } from '@pothos/plugin-relay';
import { invalidInput } from '../errors.js';
import type { TaskEvent } from '../store/index.js';
import { parseCursor } from '../tasks/intake.js';
import { builder } from './builder.js';
import { pageNodes } from './connection.js';
import { TaskRef } from './task.js';

interface LogLine {
  id: number;
  at: Date;
  level: string;
  message: string;
}

const TaskLogLineRef = builder.objectRef<LogLine>('TaskLogLine').implement({
  description: 'One log line of a task.',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime' }),
    level: t.exposeString('level', { description: 'debug, info, warn or error.' }),
    message: t.exposeString('message'),
  }),
});

const toLine = (event: TaskEvent): LogLine => ({
  id: event.id,
  at: event.at,
  level: String(event.data?.level ?? 'info'),
  message: String(event.data?.message ?? ''),
});

const cursor = (value: string | null | undefined) => {
  if (value == null) return undefined;
  const id = parseCursor(value);
  if (id === 0) throw invalidInput('"0" is not a log cursor');
  return id;
};

builder.objectField(TaskRef, 'logs', (t) =>
  t.connection(
    {
      type: TaskLogLineRef,
      description: 'Its log lines, oldest first. Lines and bytes per task are capped; a last line says when the cap was reached.',
      authScopes: { read: true },
      resolve: async (task, args, ctx) =>
        (await resolveCursorConnection<Promise<LogLine[]>>(
          { args, toCursor: (line) => String(line.id), defaultSize: 100, maxSize: 1000 },
          async ({ before, after, limit, inverted }) =>
            (await ctx.store.events.readLogs(task.id, { afterId: cursor(after), beforeId: cursor(before), limit, inverted })).map(toLine),
        ))!,
    },
    {
      name: 'TaskLogConnection',
      fields: (c) => ({
        nodes: c.field({
          type: [TaskLogLineRef],
          description: 'The lines of this page, without the edges.',
          resolve: (connection) => pageNodes<LogLine>(connection),
        }),
      }),
    },
    { name: 'TaskLogEdge' },
  ),
);
