/** Which of these ports something already listens on, on 127.0.0.1: tried by listening on each, then closing. */
import { once } from 'node:events';
import { createServer } from 'node:net';

export interface PortUse {
  port: number;
  /** What the port is for, for the message: a service name, "the broker". */
  what: string;
}

export async function portsInUse(ports: readonly PortUse[]): Promise<PortUse[]> {
  const busy: PortUse[] = [];
  for (const use of ports) if (!(await canListen(use.port))) busy.push(use);
  return busy;
}

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  // events.once would reject on 'error': listen for both outcomes by hand.
  const free = await new Promise<boolean>((resolve) => {
    server.once('listening', () => resolve(true));
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1');
  });
  if (free) {
    server.close();
    await once(server, 'close');
  }
  return free;
}
