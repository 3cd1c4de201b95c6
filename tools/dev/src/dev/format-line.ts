/** One chassis JSON log line as a readable line: level, message, correlation id, then the fields that matter. */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** On every line, or said already: not repeated at the end. */
const OMITTED = new Set(['level', 'time', 'msg', 'service', 'version', 'pid', 'hostname', 'correlationId', 'traceId']);

export function formatLogLine(record: Record<string, unknown>): string {
  const level =
    typeof record['level'] === 'number'
      ? (LEVELS[record['level']] ?? String(record['level']))
      : String(record['level'] ?? '').toUpperCase();
  const fields = Object.entries(record)
    .filter(([name]) => !OMITTED.has(name))
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const correlation = typeof record['correlationId'] === 'string' ? ` [${record['correlationId']}]` : '';
  return `${level.padEnd(5)} ${String(record['msg'] ?? '')}${correlation}${fields.length > 0 ? `  ${fields.join(' ')}` : ''}`;
}
