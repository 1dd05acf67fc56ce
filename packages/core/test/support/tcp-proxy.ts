/**
 * A TCP proxy in front of a database server that can lose a COMMIT on the wire: the request (the
 * server never sees it) or the reply (the server committed, the client never hears it). Both
 * sockets of that connection are then closed, as a network failure would.
 */
import net from 'node:net'

export type CommitLoss = 'request' | 'reply'

export interface TcpProxy {
  readonly port: number
  /** The next COMMIT any client sends through the proxy is lost this way. */
  loseNextCommit(loss: CommitLoss): void
  /** How many COMMITs were lost so far. */
  readonly lost: number
  close(): Promise<void>
}

/** A simple-protocol COMMIT: PostgreSQL's Query message (`Q`, length, `commit\0`), MySQL's COM_QUERY (`0x03 commit`). */
const commitPatterns = [Buffer.from('commit\u0000'), Buffer.from([0x03, ...Buffer.from('commit')])]
const isCommit = (chunk: Buffer) => commitPatterns.some((pattern) => chunk.includes(pattern))

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let armed: CommitLoss | undefined
  let lost = 0
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host)
    sockets.add(client).add(upstream)
    const cut = () => {
      client.destroy()
      upstream.destroy()
    }
    let dropReply = false
    client.on('data', (chunk) => {
      if (armed !== undefined && isCommit(chunk)) {
        const loss = armed
        armed = undefined
        lost++
        if (loss === 'request') return cut()
        dropReply = true
      }
      upstream.write(chunk)
    })
    upstream.on('data', (chunk) => {
      if (dropReply) return cut()
      client.write(chunk)
    })
    for (const socket of [client, upstream]) {
      socket.on('error', cut)
      socket.on('close', () => {
        sockets.delete(socket)
        cut()
      })
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    loseNextCommit(loss) {
      armed = loss
    },
    get lost() {
      return lost
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
