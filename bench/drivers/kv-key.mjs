// How the key/value peers store a time-series record: key = the series name's
// bytes followed by ts as 8 bytes big-endian, so one series is contiguous and
// in ts order under bytewise key order. ts must be a non-negative safe
// integer. The series names of the benchmark are fixed-width, so no series
// name is a prefix of another and a series is exactly the keys between
// seriesStart() and seriesEnd().

const TWO_32 = 2 ** 32

export function encodeKey (series, ts) {
  const n = series.length
  const key = Buffer.allocUnsafe(n + 8)
  key.latin1Write(series, 0)
  key.writeUInt32BE(Math.floor(ts / TWO_32), n)
  key.writeUInt32BE(ts >>> 0, n + 4)
  return key
}

export function decodeTs (key) {
  const n = key.length - 8
  return key.readUInt32BE(n) * TWO_32 + key.readUInt32BE(n + 4)
}

export function decodeSeries (key) {
  return key.latin1Slice(0, key.length - 8)
}

// Inclusive lower bound of a series' keys.
export function seriesStart (series) {
  return Buffer.from(series, 'latin1')
}

// Exclusive upper bound of a series' keys: the name with its last byte
// incremented (names end in a digit, never 0xff).
export function seriesEnd (series) {
  const b = Buffer.from(series, 'latin1')
  b[b.length - 1]++
  return b
}

// Key bounds { gte, lt } of a series, or of the part of it with ts in
// tsRange ({ gte, lte }, inclusive) when given.
export function seriesBounds (series, tsRange) {
  if (tsRange === null || tsRange === undefined) return { gte: seriesStart(series), lt: seriesEnd(series) }
  return { gte: encodeKey(series, tsRange.gte), lt: encodeKey(series, tsRange.lte + 1) }
}
