/**
 * A loopback ECS container-credentials endpoint (what `AWS_CONTAINER_CREDENTIALS_FULL_URI`
 * points at in ECS tasks and EKS Pod Identity), so the SDK's default credential chain is
 * exercised for real: the SDK permits http:// only for loopback hosts, which this is.
 * Checks `AWS_CONTAINER_AUTHORIZATION_TOKEN` when one is set.
 */
import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export class FakeEcsCredentials {
  readonly accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
  readonly secretAccessKey = randomBytes(20).toString('base64');
  readonly sessionToken = `ecs-session-${randomBytes(24).toString('hex')}`;
  /** Authorization headers received, one per credential request. */
  readonly calls: Array<string | undefined> = [];
  /** Accept credential requests and never answer (a black-holed metadata endpoint). */
  hang = false;

  private constructor(
    private readonly server: Server,
    readonly authToken: string,
  ) {}

  static async start(): Promise<FakeEcsCredentials> {
    let self!: FakeEcsCredentials;
    const server = createServer((req, res) => {
      self.calls.push(req.headers.authorization);
      if (self.hang) return;
      if (req.url !== '/v2/credentials/task' || req.headers.authorization !== self.authToken) {
        res.writeHead(403, { 'content-type': 'application/json' });
        return void res.end('{"message":"denied"}');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          AccessKeyId: self.accessKeyId,
          SecretAccessKey: self.secretAccessKey,
          Token: self.sessionToken,
          Expiration: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    self = new FakeEcsCredentials(server, `ecs-auth-${randomBytes(8).toString('hex')}`);
    return self;
  }

  /** The environment an ECS task would have. */
  get env(): Record<string, string> {
    return {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v2/credentials/task`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: this.authToken,
    };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}
