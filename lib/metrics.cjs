'use strict'

// What stats() and metrics() add to the native counters: derived ratios,
// and the Prometheus text exposition format.

// Adds the derived ratios to the native counters.
function statsWithRatios (st) {
  const lookups = st.blockCacheHits + st.blockCacheMisses
  st.blockCacheHitRate = lookups === 0 ? 0 : st.blockCacheHits / lookups
  // Bytes the engine wrote to SSTables (flushes and compactions) per byte
  // accepted from writes; WAL bytes equal the accepted bytes and are left out.
  st.writeAmplification = st.bytesWritten === 0 ? 0 : (st.flushBytes + st.compactionBytesWritten) / st.bytesWritten
  // SSTables searched per point read that reached the SSTables.
  st.readAmplification = st.gets === 0 ? 0 : st.getSstProbes / st.gets
  // Bytes on disk per byte of the largest (oldest) SSTable: the size-tiered
  // estimate of space amplification (1 after a full compaction).
  st.spaceAmplification = st.largestSstableBytes === 0 ? 0 : st.sstableBytes / st.largestSstableBytes
  return st
}

// Metric name, help, type and how to read it from stats().
const METRICS = [
  ['records_written_total', 'Records accepted by writes.', 'counter', (s) => s.recordsWritten],
  ['bytes_written_total', 'Encoded batch bytes accepted by writes.', 'counter', (s) => s.bytesWritten],
  ['wal_syncs_total', 'WAL fsyncs.', 'counter', (s) => s.walSyncs],
  ['write_groups_total', 'Group commits.', 'counter', (s) => s.writeGroups],
  ['flushes_total', 'Memtables flushed to SSTables.', 'counter', (s) => s.flushes],
  ['flush_bytes_total', 'SSTable bytes written by flushes.', 'counter', (s) => s.flushBytes],
  ['compactions_total', 'Compactions run.', 'counter', (s) => s.compactions],
  ['compaction_read_bytes_total', 'SSTable bytes read by compactions.', 'counter', (s) => s.compactionBytesRead],
  ['compaction_written_bytes_total', 'SSTable bytes written by compactions.', 'counter', (s) => s.compactionBytesWritten],
  ['compaction_dropped_records_total', 'Overwritten, deleted or expired records dropped by compactions.', 'counter', (s) => s.compactionRecordsDropped],
  ['gc_runs_total', 'Expired-file collections that dropped a file.', 'counter', (s) => s.gcRuns],
  ['gc_files_total', 'SSTables dropped whole because every record expired.', 'counter', (s) => s.gcFiles],
  ['gc_records_total', 'Records in SSTables dropped whole.', 'counter', (s) => s.gcRecords],
  ['wal_skipped_regions', 'Damaged WAL stretches skipped by the open with walRecovery: salvage.', 'gauge', (s) => s.walSkippedRegions],
  ['wal_skipped_bytes', 'Bytes of the damaged WAL stretches skipped by the open with walRecovery: salvage.', 'gauge', (s) => s.walSkippedBytes],
  ['write_stalls_total', 'Writes that waited for a flush.', 'counter', (s) => s.stalls],
  ['write_stall_seconds_total', 'Time writers waited for flushes.', 'counter', (s) => s.stallMicros / 1e6],
  ['point_reads_total', 'Point reads served.', 'counter', (s) => s.gets],
  ['block_cache_hits_total', 'Block cache hits.', 'counter', (s) => s.blockCacheHits],
  ['block_cache_misses_total', 'Block cache misses.', 'counter', (s) => s.blockCacheMisses],
  ['memtable_bytes', 'Bytes in the active and frozen memtables.', 'gauge', (s) => s.memtableBytes],
  ['frozen_memtables', 'Memtables waiting to be flushed.', 'gauge', (s) => s.frozenMemtables],
  ['sstables', 'Live SSTables.', 'gauge', (s) => s.sstables],
  ['sstable_bytes', 'Bytes in live SSTables.', 'gauge', (s) => s.sstableBytes],
  ['block_cache_bytes', 'Bytes held by the block cache.', 'gauge', (s) => s.blockCacheBytes],
  ['block_cache_hit_ratio', 'Block cache hits per lookup.', 'gauge', (s) => s.blockCacheHitRate],
  ['range_deletions', 'Live range tombstones.', 'gauge', (s) => s.rangeDeletions],
  ['snapshots', 'Open snapshots.', 'gauge', (s) => s.snapshots],
  ['open_table_readers', 'Open SSTable readers.', 'gauge', (s) => s.tableReaders],
  ['write_amplification', 'SSTable bytes written per byte accepted.', 'gauge', (s) => s.writeAmplification],
  ['read_amplification', 'SSTables searched per point read.', 'gauge', (s) => s.readAmplification],
  ['space_amplification', 'SSTable bytes per byte of the largest SSTable.', 'gauge', (s) => s.spaceAmplification],
  ['last_sequence', 'Sequence number of the newest write.', 'gauge', (s) => s.lastSequence]
]
const LATENCIES = [
  ['write_latency_seconds', 'Write latency, including queueing and WAL sync.', 'writeLatency'],
  ['read_latency_seconds', 'Point read latency (get, getLatest).', 'readLatency'],
  ['flush_duration_seconds', 'Duration of one memtable flush.', 'flushLatency'],
  ['compaction_duration_seconds', 'Duration of one compaction.', 'compactionLatency']
]

// stats() (with ratios) as Prometheus text exposition format 0.0.4;
// latencies (µs in stats()) become seconds.
function prometheusText (st) {
  const lines = []
  for (const [name, help, type, get] of METRICS) {
    lines.push(`# HELP flowdb_${name} ${help}`, `# TYPE flowdb_${name} ${type}`, `flowdb_${name} ${get(st)}`)
  }
  for (const [name, help, field] of LATENCIES) {
    const l = st[field]
    lines.push(`# HELP flowdb_${name} ${help}`, `# TYPE flowdb_${name} summary`)
    for (const [q, v] of [['0.5', l.p50], ['0.9', l.p90], ['0.99', l.p99]]) {
      lines.push(`flowdb_${name}{quantile="${q}"} ${v / 1e6}`)
    }
    lines.push(`flowdb_${name}_sum ${l.sum / 1e6}`, `flowdb_${name}_count ${l.count}`)
  }
  return lines.join('\n') + '\n'
}

module.exports = { statsWithRatios, prometheusText }
