// A tsserver client speaking its stdio protocol as an editor does: requests with sequence numbers,
// Content-Length framed responses and events (diagnostics arrive as events after `geterr`).
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'

/**
 * One tsserver process for one project folder.
 *
 * @example
 * const server = new TsServer(root)
 * await server.request('open', { file, fileContent })
 * const info = await server.request('quickinfo', { file, line: 3, offset: 7 })
 * await server.close()
 */
export class TsServer {
  #child
  #seq = 0
  #buffer = Buffer.alloc(0)
  /** Waiters for a response, by request sequence number. */
  #pending = new Map()
  /** Diagnostics events collected for a `geterr` in flight, by its sequence number. */
  #diagnostics = new Map()

  constructor(root) {
    const tsserver = createRequire(`${root}/package.json`).resolve('typescript/lib/tsserver.js')
    this.#child = spawn(process.execPath, ['--max-old-space-size=4096', tsserver, '--disableAutomaticTypingAcquisition'], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    this.#child.stdout.on('data', (chunk) => this.#read(chunk))
  }

  /** Sends a request and resolves with its response body (rejects when tsserver reports a failure). */
  request(command, args) {
    const seq = ++this.#seq
    this.#child.stdin.write(`${JSON.stringify({ seq, type: 'request', command, arguments: args })}\n`)
    return new Promise((resolve, reject) => this.#pending.set(seq, { resolve, reject, command }))
  }

  /** Runs `geterr` on one file and resolves with its syntactic and semantic diagnostics once tsserver says the request completed. */
  diagnostics(file) {
    const seq = ++this.#seq
    const collected = []
    this.#diagnostics.set(seq, collected)
    this.#child.stdin.write(`${JSON.stringify({ seq, type: 'request', command: 'geterr', arguments: { files: [file], delay: 0 } })}\n`)
    return new Promise((resolve) => this.#pending.set(seq, { resolve: () => resolve(collected), reject: resolve, command: 'geterr' }))
  }

  async close() {
    this.#child.stdin.end(`${JSON.stringify({ seq: ++this.#seq, type: 'request', command: 'exit' })}\n`)
    await new Promise((resolve) => this.#child.once('exit', resolve))
  }

  #read(chunk) {
    this.#buffer = Buffer.concat([this.#buffer, chunk])
    for (;;) {
      const headerEnd = this.#buffer.indexOf('\r\n\r\n')
      if (headerEnd < 0) return
      const length = Number(/Content-Length: (\d+)/.exec(this.#buffer.subarray(0, headerEnd).toString())?.[1])
      const start = headerEnd + 4
      if (this.#buffer.length < start + length) return
      const message = JSON.parse(this.#buffer.subarray(start, start + length).toString())
      this.#buffer = this.#buffer.subarray(start + length)
      this.#handle(message)
    }
  }

  #handle(message) {
    if (message.type === 'response') {
      const waiter = this.#pending.get(message.request_seq)
      if (waiter === undefined || waiter.command === 'geterr') return
      this.#pending.delete(message.request_seq)
      if (message.success) waiter.resolve(message.body)
      else waiter.reject(new Error(`tsserver ${waiter.command}: ${message.message}`))
      return
    }
    if (message.type !== 'event') return
    if (message.event === 'syntaxDiag' || message.event === 'semanticDiag') {
      // Diagnostics events do not carry the request's number: they belong to the one geterr in flight.
      for (const collected of this.#diagnostics.values()) collected.push(...message.body.diagnostics)
    } else if (message.event === 'requestCompleted') {
      const seq = message.body.request_seq
      const waiter = this.#pending.get(seq)
      this.#pending.delete(seq)
      this.#diagnostics.delete(seq)
      waiter?.resolve()
    }
  }
}
