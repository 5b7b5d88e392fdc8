// The schedule commands of the command-line client: `schedules`, and `schedule set|delete|pause|resume <name>`.
import { int, json, print, text } from './args.js';
import { Refused } from './client.js';
import type { Invocation } from './commands.js';
import {
  CliDeleteScheduleDocument, CliPauseScheduleDocument, CliResumeScheduleDocument, CliSchedulesDocument, CliUpsertScheduleDocument,
} from './generated.js';


/** `schedule set <name> --cron "..." --kind K [...]`: the whole declaration; --paused pauses it, left out its state stays. */
async function set(i: Invocation, name: string): Promise<number> {
  const cron = text(i.values.cron);
  const kinds = Array.isArray(i.values.kind) ? i.values.kind : [];
  if (!cron) throw new Refused('schedule set needs --cron "EXPRESSION" (five fields, or six with seconds first)');
  if (kinds.length !== 1) throw new Refused('schedule set needs one --kind KIND');
  const input = {
    name,
    cron,
    kind: kinds[0],
    timezone: text(i.values.timezone),
    input: json(i.values.input),
    queue: text(i.values.queue),
    priority: int('priority', i.values.priority),
    maxAttempts: int('max-attempts', i.values['max-attempts']),
    timeoutSeconds: int('timeout', i.values.timeout),
    backfillSeconds: int('backfill-seconds', i.values['backfill-seconds']),
    paused: i.values.paused === true ? true : undefined,
  };
  return print((await i.server.request(CliUpsertScheduleDocument, { input })).upsertSchedule);
}

const ACTIONS: Record<string, (i: Invocation, name: string) => Promise<number>> = {
  set,
  delete: async (i, name) => print((await i.server.request(CliDeleteScheduleDocument, { name })).deleteSchedule),
  pause: async (i, name) => print((await i.server.request(CliPauseScheduleDocument, { name })).pauseSchedule),
  resume: async (i, name) => print((await i.server.request(CliResumeScheduleDocument, { name })).resumeSchedule),
};

export const SCHEDULE_COMMANDS: Record<string, (i: Invocation) => Promise<number>> = {
  schedules: async (i) => print((await i.server.request(CliSchedulesDocument)).schedules),
  async schedule(i) {
    const [action, name] = i.args;
    const run = ACTIONS[action ?? ''];
    if (!run) throw new Refused(`schedule needs one of ${Object.keys(ACTIONS).join(', ')}, then a schedule name`);
    if (!name) throw new Refused(`schedule ${action} needs a schedule name`);
    return run(i, name);
  },
};
