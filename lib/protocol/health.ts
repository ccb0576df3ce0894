// What `GET /healthz` answers: load balancers read its status code; the extension's "Test connection"
// reads `service` to tell a Collab Chat server from anything else answering at that address, and
// `protocol` to tell a server of another version before it says hello.
import { z } from 'zod';
import { PROTOCOL_VERSION } from './limits';

/** The name every Collab Chat server gives in its health answer. */
export const SERVICE_NAME = 'collab-chat';

export const HealthAnswer = z.looseObject({
  service: z.literal(SERVICE_NAME),
  protocol: z.number().int(),
  /** `ok` while serving; `starting`, `draining` or `busy` (with HTTP 503) while refusing. */
  status: z.string(),
});
export type HealthAnswerT = z.infer<typeof HealthAnswer>;

/** The fields of the health answer that identify the server, in every answer (200 and 503). */
export const healthIdentity = () => ({ service: SERVICE_NAME, protocol: PROTOCOL_VERSION }) as const;
