// The idb workload (idb-workload.js) on flowdb in memory.

import { idbWorkload } from './idb-workload.js'
import { providers } from './providers.js'

idbWorkload(providers.find((p) => p.name === 'flowdb in memory'))
