'use strict'

// Scan: the async iterable returned by engine.scan(). A ChunkReader
// (chunk-reader.cjs) over a NativeIterator, whose entries are decoded into
// { key, ts, value, expireAt } records.

const { readInt64, readExpireAt } = require('./encoding.cjs')
const { ChunkReader } = require('./chunk-reader.cjs')

const ENTRY_HEADER_SIZE = 24

// A copy of buf[off, off + len) that the caller owns. Buffer.allocUnsafe
// carves small buffers out of a shared pool, which costs far less than an
// ArrayBuffer per record.
function copyOut (buf, off, len) {
  const out = Buffer.allocUnsafe(len)
  buf.copy(out, 0, off, off + len)
  return out
}

// Decodes nextv entries (lib/encoding.cjs describes the layout) into
// records, with keys and values in the scan's encodings.
class RecordDecoder {
  end = 0
  #keyEncoding
  #valueEncoding
  #bigint
  #lastKey = null // the last utf8 key decoded, reused while the bytes repeat
  #lastKeyBuf = null // the chunk and offset of its bytes
  #lastKeyOff = 0
  #lastKeyLen = -1

  constructor (keyEncoding, valueEncoding, bigint) {
    this.#keyEncoding = keyEncoding
    this.#valueEncoding = valueEncoding
    this.#bigint = bigint
  }

  decode (buf, off) {
    const keyLen = buf.readUInt32LE(off)
    const valueLen = buf.readUInt32LE(off + 4)
    const ts = readInt64(buf, off + 8, this.#bigint)
    const expireAt = readExpireAt(buf, off + 16, this.#bigint)
    off += ENTRY_HEADER_SIZE
    const key = this.#keyEncoding === 'utf8' ? this.#utf8Key(buf, off, keyLen) : copyOut(buf, off, keyLen)
    off += keyLen
    const value = this.#valueEncoding === 'buffer'
      ? copyOut(buf, off, valueLen)
      : buf.toString('utf8', off, off + valueLen)
    this.end = off + valueLen
    return { key, ts, value, expireAt }
  }

  // Parses a JSON value last: a value that is not JSON fails its read only.
  finish (record) {
    if (this.#valueEncoding === 'json') record.value = JSON.parse(record.value)
    return record
  }

  reset () {
    this.#lastKeyBuf = null
  }

  // The key at buf[off, off + len) as a string. A time-series scan meets
  // each key once per version, so when the bytes equal the previous key's
  // the previous string is returned instead of decoding again.
  #utf8Key (buf, off, len) {
    const last = this.#lastKeyBuf
    if (len === this.#lastKeyLen && last !== null) {
      const lastOff = this.#lastKeyOff
      let i = 0
      while (i < len && buf[off + i] === last[lastOff + i]) i++
      if (i === len) {
        this.#lastKeyBuf = buf
        this.#lastKeyOff = off
        return this.#lastKey
      }
    }
    const key = buf.toString('utf8', off, off + len)
    this.#lastKey = key
    this.#lastKeyBuf = buf
    this.#lastKeyOff = off
    this.#lastKeyLen = len
    return key
  }
}

class Scan extends ChunkReader {
  // owner: the engine's Lifecycle (lifecycle.cjs).
  // native: a NativeIterator, or null for a scan known to be empty.
  constructor (owner, native, limit, keyEncoding, valueEncoding, bigint) {
    super(owner, native, limit, new RecordDecoder(keyEncoding, valueEncoding, bigint))
  }
}

module.exports = { Scan }
