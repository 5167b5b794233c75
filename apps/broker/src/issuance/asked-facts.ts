import { toolNameSchema } from '@writ/claims';
import type { TokenExchangeRequest } from './token-request.js';

/** At most this many asked tool names go into a denial's audit event (the count is always whole). */
export const MAX_ASKED_TOOLS = 16;
const MAX_ASKED_AUDIENCE_LENGTH = 512;
const MAX_DETAILS_CHARS = 16 * 1024;
// An audience recorded verbatim must not carry control or format characters (log and UI spoofing).
const UNPRINTABLE = /[\p{Cc}\p{Cf}]/u;

/**
 * What a token request asked for, as flat audit `detail` facts: the tool names (valid names
 * only, the first MAX_ASKED_TOOLS, space-separated) with their full count, and the audience.
 * Read leniently from the raw request, because a denial may come before (or from) parsing it;
 * anything unreadable is counted, never copied.
 */
export function askedDetail(req: TokenExchangeRequest): Record<string, string | number> {
  const tools = [...new Set([...scopeTools(req.scope), ...detailTools(req.authorization_details)])];
  const valid = tools.filter((tool) => toolNameSchema.safeParse(tool).success);
  const detail: Record<string, string | number> = { asked_tool_count: tools.length };
  // A client_credentials start is told apart from a token exchange in the trail.
  if (req.grant_type === 'client_credentials') detail.grant_type = 'client_credentials';
  if (valid.length > 0) detail.asked_tools = valid.slice(0, MAX_ASKED_TOOLS).join(' ');
  const targets = [...new Set(req.targets)];
  if (targets.length > 1) detail.asked_audience_count = targets.length;
  const [audience] = targets;
  if (audience !== undefined) {
    if (audience.length <= MAX_ASKED_AUDIENCE_LENGTH && !UNPRINTABLE.test(audience)) {
      detail.asked_audience = audience;
    } else {
      detail.asked_audience_count = targets.length;
    }
  }
  return detail;
}

function scopeTools(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  return scope
    .split(/\s+/)
    .filter((token) => token.startsWith('tool:'))
    .map((token) => token.slice('tool:'.length));
}

function detailTools(details: string | undefined): string[] {
  if (details === undefined || details.length > MAX_DETAILS_CHARS) return [];
  try {
    const parsed: unknown = JSON.parse(details);
    const first: unknown = Array.isArray(parsed) ? parsed[0] : undefined;
    const tools: unknown = typeof first === 'object' && first !== null ? Reflect.get(first, 'tools') : [];
    return Array.isArray(tools) ? tools.filter((tool): tool is string => typeof tool === 'string') : [];
  } catch {
    return [];
  }
}
