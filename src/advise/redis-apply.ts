import type { Redis } from 'ioredis';
import { isApplicable, type RedisAdvice } from './redis-advice.js';

/**
 * `--apply`: runs exactly the commands the script holds, one by one, saying each before it runs.
 * A command outside what the advisor writes (see isApplicable) is refused, never run: FLUSHALL,
 * FLUSHDB, DEL and CONFIG REWRITE (unless --rewrite) cannot reach the server this way.
 */
export async function applyRedisAdvice(
  client: Redis,
  advice: RedisAdvice,
  options: { rewrite: boolean; say: (line: string) => void },
): Promise<{ ran: number; refused: string[] }> {
  const commands = advice.recommendations.flatMap((r) => r.commands);
  if (options.rewrite && commands.length > 0) commands.push(['CONFIG', 'REWRITE']);
  let ran = 0;
  const refused: string[] = [];
  for (const command of commands) {
    const text = command.join(' ');
    if (!isApplicable(command, options.rewrite)) {
      refused.push(text);
      options.say(`refused (not a command this advisor runs): ${text}`);
      continue;
    }
    options.say(`running: ${text}`);
    await client.call(command[0]!, ...command.slice(1));
    ran++;
  }
  return { ran, refused };
}
