// The floor: a bare `ws` server that relays each text frame it receives, as one buffer, to every
// connected socket. No parsing, no rooms, no auth: what fan-out costs at the least on this machine.
import { WebSocketServer, type WebSocket } from 'ws';
import { emit, serveRpc } from '../ipc';
import { probeHandlers } from './probe';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (socket: WebSocket) => {
  socket.on('error', () => socket.terminate());
  socket.on('message', (data: Buffer, isBinary) => {
    // `data` is already one buffer; every socket gets the same one.
    for (const client of wss.clients) if (client.readyState === 1) client.send(data, { binary: isBinary });
  });
});
wss.on('listening', () => {
  const address = wss.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  serveRpc({ ...probeHandlers(), connections: () => wss.clients.size });
  // A normal exit, so that --cpu-prof writes its profile.
  process.on('SIGTERM', () => process.exit(0));
  emit({ event: 'ready', port: address.port });
});
