import flowdb from './index.cjs'

export const { Engine, JsonDB, KeyRange, FlowDBError, errorCodes, versions } = flowdb
export default flowdb
