import { type DestinationStream, pino } from 'pino';

/**
 * Every field that could ever hold a credential is censored in the logger itself, so a careless
 * log call cannot leak one (redaction is the logger's own setting).
 */
export const REDACT_PATHS = [
  'token',
  'subject_token',
  'actor_token',
  'access_token',
  'authorization',
  'password',
  'secret',
  'key',
  'private_key',
  '*.token',
  '*.subject_token',
  '*.actor_token',
  '*.access_token',
  '*.authorization',
  '*.Authorization',
  '*.password',
  '*.secret',
  '*.key',
  '*.private_key',
  '*.d',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

export function createLogger(options: { level: string; destination?: DestinationStream }) {
  return pino(
    {
      level: options.level,
      base: { service: 'writ-broker' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
