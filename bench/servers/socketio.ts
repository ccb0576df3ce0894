// The peer: Socket.IO 4 as a team would use it for this product, one room per page and a room
// broadcast per write (WebSocket transport only, no compression, like the others).
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { emit, serveRpc } from '../ipc';
import { probeHandlers } from './probe';

const http = createServer();
const io = new Server(http, { transports: ['websocket'], serveClient: false, perMessageDeflate: false });
io.on('connection', (socket) => {
  socket.on('join', (room: unknown, done: unknown) => {
    if (typeof room !== 'string') return;
    void socket.join(room);
    if (typeof done === 'function') done();
  });
  socket.on('write', (room: unknown, event: unknown) => {
    if (typeof room !== 'string') return;
    io.to(room).emit('event', event);
  });
});
http.listen(0, '127.0.0.1', () => {
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  serveRpc({ ...probeHandlers(), connections: () => io.engine.clientsCount });
  // A normal exit, so that --cpu-prof writes its profile.
  process.on('SIGTERM', () => process.exit(0));
  emit({ event: 'ready', port: address.port });
});
