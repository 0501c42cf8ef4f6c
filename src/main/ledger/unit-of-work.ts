// One transaction around a call that carries a manager's PIN ([E] point 5): the approval and the action it
// approved commit together, or neither does (an approval is never journaled as granted for an action then refused).
//
// better-sqlite3's db.transaction() refuses a function that returns a promise, and some calls are async (closing
// the day awaits its files). Such a call's synchronous part, up to its first await, is all a JavaScript caller can
// hold in one transaction without letting other calls interleave: it is committed when that part returns. The
// async handlers are written so that everything that changes money happens before their first await (shift:close
// commits the Z, then writes its PDF, exports and backup, which never undo it).
import type { Db } from './db'

export function unitOfWork<T>(db: Db, fn: () => T): T {
  if (db.inTransaction) return fn()
  db.exec('BEGIN IMMEDIATE')
  let value: T
  try {
    value = fn()
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw e
  }
  if (db.inTransaction) db.exec('COMMIT')
  return value
}

/**
 * A refusal of the PIN itself (wrong, locked out, or its holder may not approve this): its own journal entry
 * ('approval.refused') is kept, and nothing else ran.
 */
export function isPinRefusal(e: unknown): boolean {
  const key = (e as { key?: unknown } | null)?.key
  return e instanceof Error && (key === 'approval.wrong-pin' || key === 'approval.locked' || key === 'staff.not-permitted')
}

/**
 * An approval and its action in one transaction, for the part of an async call that follows its await (a
 * stablecoin refund after its rate was fetched, payment settings after their RPC test). A wrong PIN still commits
 * its 'approval.refused' entry and the lockout count; any other refusal takes the approval back with the action.
 */
export function approvedAtomically<T>(db: Db, fn: () => T): T {
  let pinRefusal: unknown = null
  const value = unitOfWork(db, () => {
    try {
      return fn()
    } catch (e) {
      if (!isPinRefusal(e)) throw e
      pinRefusal = e
      return undefined as T
    }
  })
  if (pinRefusal !== null) throw pinRefusal
  return value
}
