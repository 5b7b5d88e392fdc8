import pino, { type Logger } from 'pino';

export type { Logger };

// JSON lines for machines; pretty output only when a person is watching a terminal or asks for it.
export function createLogger(level: string): Logger {
  const pretty = process.env.LOG_PRETTY === '1' || (process.env.LOG_PRETTY !== '0' && process.stdout.isTTY);
  return pino({
    level,
    base: { pid: process.pid },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
}
