import { type ChildProcess, spawn } from "node:child_process";
import { connect, type Socket } from "node:net";

// A listener in a child process whose event loop is blocked, so it never
// accepts. With a backlog of 1 the kernel completes two handshakes and then
// drops further SYNs, so a third connect stays pending: a real stalled
// connection, on loopback.
const LISTENER_SOURCE = `
require("node:net").createServer().listen({ port: 0, host: "127.0.0.1", backlog: 1 }, function () {
  process.stdout.write(this.address().port + "\\n");
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});
`;

/** StalledListener is a loopback port where a new connection never opens. */
export interface StalledListener {
  port: number;
  close(): Promise<void>;
}

/** Starts a StalledListener and fills its accept queue. */
export async function startStalledListener(): Promise<StalledListener> {
  const child: ChildProcess = spawn(process.execPath, ["-e", LISTENER_SOURCE], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once("error", reject);
  });
  const fillers: Socket[] = [];
  for (let index = 0; index < 2; index++) {
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("error", reject);
    });
    fillers.push(socket);
  }
  return {
    port,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
  };
}
