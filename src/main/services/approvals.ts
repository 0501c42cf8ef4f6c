// Staff and approvals (issue [S] point 2). Everyone who works the till has a name, a role (owner, manager, cashier:
// src/shared/permissions.ts says what each may do) and a PIN, stored as a scrypt hash with its own salt. A PIN
// signs a person in at the till, and a PIN typed in the "Manager approval" dialog authorises one named action
// (a no-sale drawer opening, accepting a partial payment, voiding a sale) if its holder's role may approve it.
//
// Wrong PINs are counted in the ledger (pin_lockout), not in memory: a restart does not forgive them. After five in
// a row PINs lock, first for 30 seconds, then twice as long at each further lock (up to an hour), until a right PIN.
// Every sign-in, lock, grant, refusal and staff change is journaled, naming who did it.
import { createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'
import type { StaffSessionView, StaffView } from '../../shared/api/views'
import type { Clock } from '../../shared/clock'
import { MIN_PIN_DIGITS, mayDo, PERMISSIONS, type Action, type Role } from '../../shared/permissions'
import { refuse } from '../../shared/result'
import type { PinTagKey } from '../ledger/anchor'
import { prepareCached, type Db } from '../ledger/db'
import { appendJournal } from '../ledger/journal'
import { journalState } from '../ledger/money-state'

/** The actions a PIN in the "Manager approval" dialog may authorise (kept for the callers that name it). */
export type ApprovalAction = Action

export interface StaffMember {
  readonly id: string
  readonly name: string
  readonly role: Role
}

/** Kept for callers written before roles: a manager is a staff member with role 'manager'. */
export type Manager = StaffMember

interface StaffRow {
  id: string
  name: string
  role: Role
  salt: string
  pin_hash: string
  disabled: 0 | 1
  created_at: number
  pin_tag: string | null
  pin_tag_mac: string | null
}

/** Wrong PINs in a row before PINs lock. */
export const MAX_PIN_FAILURES = 5
/** The first lock's length; each further lock in a row doubles it, up to MAX_LOCK_MS. */
export const FIRST_LOCK_MS = 30_000
export const MAX_LOCK_MS = 60 * 60_000
/** One scope for sign-in and approvals alike: a guesser must not get five tries at each. */
const SCOPE = 'pin'

function hashPin(pin: string, salt: string): string {
  return scryptSync(pin, salt, 32, { N: 1 << 14, r: 8, p: 1 }).toString('hex')
}

function pinMatches(pin: string, row: Pick<StaffRow, 'salt' | 'pin_hash'>): boolean {
  return timingSafeEqual(Buffer.from(hashPin(pin, row.salt), 'hex'), Buffer.from(row.pin_hash, 'hex'))
}

/** The PIN's lookup tag (migration 0013): keyed with the till key, so the ledger file alone cannot test PINs. */
const pinTag = (pin: string, tags: PinTagKey): string => createHmac('sha256', tags.key).update(pin).digest('hex')
/** Binds a tag to its row under this till's key: a tag from another key, edited or copied from another row fails. */
const tagMac = (id: string, tag: string, tags: PinTagKey): string => createHmac('sha256', tags.key).update(`row\u0000${id}\u0000${tag}`).digest('hex').slice(0, 32)

// The scrypt a PIN matching no row still costs, so a miss takes as long as a hit.
const DUMMY_SALT = 'stabletill-no-such-pin'

export function lockDelayMs(lockouts: number): number {
  return Math.min(MAX_LOCK_MS, FIRST_LOCK_MS * 2 ** Math.max(0, lockouts - 1))
}

export interface NewStaff {
  readonly name: string
  readonly role: Role
  readonly pin: string
}

/** The journal kinds that follow a write to the staff table. */
const STAFF_CHANGES = new Set(['staff.added', 'staff.disabled', 'staff.enabled', 'staff.pin-changed', 'staff.pin-reset'])

export class StaffService {
  private signedIn: StaffMember | null = null
  private readonly listeners: ((session: StaffSessionView | null) => void)[] = []

  /**
   * `pinTags`: the lookup tag key (ledger/anchor.ts pinTagSource), from the till key outside the ledger. Without
   * it (or while it cannot be loaded) every enabled row is hashed for each PIN typed, as before the tags.
   */
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly tillId: () => string,
    private readonly pinTags: () => PinTagKey | null = () => null
  ) {}

  private q(sql: string) {
    return prepareCached(this.db, sql)
  }

  private journal(kind: string, payload: Record<string, string | number | boolean | null>): void {
    appendJournal(this.db, { at: this.clock.now(), tillId: this.tillId(), kind, saleId: null, payload })
    // Every change of the staff table (people, roles, PIN hashes) leaves its digest in the same transaction, so
    // an edit made behind the till's back (a PIN hash replaced) is named at the next start (ledger/money-state.ts).
    if (STAFF_CHANGES.has(kind)) journalState(this.db, 'staff', { at: this.clock.now(), tillId: this.tillId(), reason: kind })
  }

  onSessionChanged(listener: (session: StaffSessionView | null) => void): void {
    this.listeners.push(listener)
  }

  private setSession(member: StaffMember | null): void {
    this.signedIn = member
    const view = this.session()
    for (const listener of this.listeners) listener(view)
  }

  list(): StaffView[] {
    const rows = this.q('SELECT * FROM staff ORDER BY created_at, id').all() as StaffRow[]
    return rows.map((r) => ({ id: r.id, name: r.name, role: r.role, disabled: r.disabled === 1 }))
  }

  isEmpty(): boolean {
    return this.q('SELECT 1 FROM staff LIMIT 1').get() === undefined
  }

  /** Who is signed in at this till, and what they may do; null while the till is locked. */
  session(): StaffSessionView | null {
    const member = this.signedIn
    if (!member) return null
    const allowed = (Object.keys(PERMISSIONS) as Action[]).filter((action) => mayDo(member.role, action))
    return { staffId: member.id, name: member.name, role: member.role, allowed }
  }

  current(): StaffMember | null {
    return this.signedIn
  }

  /** The signed-in person, if their role may do `action`; refuses otherwise (the api's session guard). */
  requireSession(action: Action): StaffMember {
    const member = this.signedIn
    if (!member) throw refuse('forbidden', 'staff.signed-out')
    if (!mayDo(member.role, action)) throw refuse('forbidden', 'staff.not-permitted', { name: member.name, action })
    return member
  }

  /**
   * Finds the enabled person whose PIN this is, counting a miss towards the lockout (kept in the ledger). Throws
   * while PINs are locked and on a wrong PIN; `refusedKind` is the journal entry a miss writes.
   */
  private holderOf(pin: string, refusedKind: string, refusedPayload: Record<string, string | number | boolean | null>): StaffMember {
    const now = this.clock.now()
    const lock = this.q('SELECT failures, lockouts, locked_until FROM pin_lockout WHERE scope = ?').get(SCOPE) as { failures: number; lockouts: number; locked_until: number } | undefined
    if (lock && now < lock.locked_until) throw refuse('forbidden', 'approval.locked', { seconds: Math.ceil((lock.locked_until - now) / 1000) })
    const match = this.findHolder(pin, true)
    if (!match) {
      let lockedSeconds = 0
      this.db.transaction(() => {
        const failures = (lock?.failures ?? 0) + 1
        const lockouts = lock?.lockouts ?? 0
        if (failures >= MAX_PIN_FAILURES) {
          const delay = lockDelayMs(lockouts + 1)
          lockedSeconds = Math.ceil(delay / 1000)
          this.q('INSERT INTO pin_lockout (scope, failures, lockouts, locked_until) VALUES (?, 0, ?, ?) ON CONFLICT(scope) DO UPDATE SET failures = 0, lockouts = excluded.lockouts, locked_until = excluded.locked_until').run(SCOPE, lockouts + 1, now + delay)
        } else {
          this.q('INSERT INTO pin_lockout (scope, failures, lockouts, locked_until) VALUES (?, ?, ?, 0) ON CONFLICT(scope) DO UPDATE SET failures = excluded.failures').run(SCOPE, failures, lockouts)
        }
        this.journal(refusedKind, { ...refusedPayload, managerId: null, staffId: this.signedIn?.id ?? null })
        if (lockedSeconds > 0) this.journal('staff.pins-locked', { seconds: lockedSeconds, lockouts: lockouts + 1 })
      }).immediate()
      if (lockedSeconds > 0) throw refuse('forbidden', 'approval.locked', { seconds: lockedSeconds })
      throw refuse('forbidden', 'approval.wrong-pin')
    }
    if (lock && (lock.failures > 0 || lock.lockouts > 0)) this.q('UPDATE pin_lockout SET failures = 0, lockouts = 0 WHERE scope = ?').run(SCOPE)
    return { id: match.id, name: match.name, role: match.role }
  }

  /**
   * Checks the PIN and returns the approving person, or throws a clear refusal: a wrong PIN, PINs locked, or a
   * holder whose role may not approve `action`. Journaled either way, naming the approver and who asked.
   */
  approve(pin: string, action: ApprovalAction, subject: string | null): StaffMember {
    const holder = this.holderOf(pin, 'approval.refused', { action, subject })
    const askedBy = this.signedIn?.id ?? null
    if (!mayDo(holder.role, action)) {
      this.db.transaction(() => this.journal('approval.refused', { action, subject, managerId: null, staffId: askedBy, refusedStaffId: holder.id, reason: 'not-permitted' })).immediate()
      throw refuse('forbidden', 'staff.not-permitted', { name: holder.name, action })
    }
    this.db.transaction(() => this.journal('approval.granted', { action, subject, managerId: holder.id, approverName: holder.name, approverRole: holder.role, staffId: askedBy })).immediate()
    return holder
  }

  signIn(pin: string): StaffSessionView {
    const member = this.holderOf(pin, 'staff.sign-in-refused', {})
    const previous = this.signedIn
    this.db.transaction(() => this.journal('staff.signed-in', { staffId: member.id, name: member.name, role: member.role, previousStaffId: previous?.id ?? null })).immediate()
    this.setSession(member)
    return this.session()!
  }

  lock(): null {
    const member = this.signedIn
    if (member) this.db.transaction(() => this.journal('staff.locked', { staffId: member.id })).immediate()
    this.setSession(null)
    return null
  }

  /** Signs a person in without a PIN: the demo store's cashier at start-up only (not journaled: nobody did it). */
  signInWithoutPin(staffId: string): void {
    const row = this.q('SELECT * FROM staff WHERE id = ? AND disabled = 0').get(staffId) as StaffRow | undefined
    if (row) this.setSession({ id: row.id, name: row.name, role: row.role })
  }

  /** The tag key, or null when it cannot be had: PINs then work as before the tags, never refused for it. */
  private tagKey(): PinTagKey | null {
    try {
      return this.pinTags()
    } catch {
      return null
    }
  }

  /**
   * The enabled person whose PIN this is, or null. PINs are unique per store, so the PIN's tag names its row and ONE
   * scrypt confirms it. A PIN matching no tag costs one dummy scrypt, so hit and miss take the same time, unless
   * some rows carry no valid tag under this till's key (a ledger from before the tags, restored on a machine with
   * another key, or a tag edited in the file): those are hashed one by one as before, whatever the outcome, and the
   * matched one is re-tagged (`retag`), so the slow path fades as people sign in. The rows are all read (a staff
   * table is small; checking each tag's MAC costs microseconds); tags are not journaled: they change no PIN.
   */
  private findHolder(pin: string, retag: boolean): StaffRow | null {
    const rows = this.q('SELECT * FROM staff WHERE disabled = 0').all() as StaffRow[]
    const tags = this.tagKey()
    if (!tags) {
      // Every row is hashed, matched or not, so the time taken does not say how far down the list the PIN was.
      let match: StaffRow | null = null
      for (const row of rows) if (pinMatches(pin, row)) match = match ?? row
      return match
    }
    const tag = pinTag(pin, tags)
    const untagged: StaffRow[] = []
    let tagged: StaffRow | null = null
    for (const row of rows) {
      if (row.pin_tag === null || row.pin_tag_mac !== tagMac(row.id, row.pin_tag, tags)) untagged.push(row)
      else if (row.pin_tag === tag) tagged = row
    }
    if (tagged) return pinMatches(pin, tagged) ? tagged : null
    if (untagged.length === 0) {
      hashPin(pin, DUMMY_SALT)
      return null
    }
    let match: StaffRow | null = null
    for (const row of untagged) if (pinMatches(pin, row)) match = match ?? row
    if (match && retag) this.q('UPDATE staff SET pin_tag = ?, pin_tag_mac = ? WHERE id = ?').run(tag, tagMac(match.id, tag, tags), match.id)
    return match
  }

  /** A PIN for `role`: digits only, long enough for the role, and nobody else's (a PIN alone says who signs in). */
  private checkNewPin(pin: string, role: Role, exceptId: string | null): void {
    const min = MIN_PIN_DIGITS[role]
    if (!/^\d+$/.test(pin) || pin.length < min || pin.length > 8) throw refuse('invalid-input', 'staff.pin-length', { role, min })
    const holder = this.findHolder(pin, false)
    if (holder && holder.id !== exceptId) throw refuse('conflict', 'staff.pin-taken')
  }

  /** The row's salt, scrypt hash and (with the till key at hand) lookup tag and its MAC for a new PIN. */
  private pinColumns(id: string, pin: string): { salt: string; hash: string; tag: string | null; mac: string | null } {
    const salt = randomBytes(16).toString('hex')
    const tags = this.tagKey()
    const tag = tags ? pinTag(pin, tags) : null
    return { salt, hash: hashPin(pin, salt), tag, mac: tags && tag ? tagMac(id, tag, tags) : null }
  }

  private insert(id: string, person: NewStaff): void {
    const c = this.pinColumns(id, person.pin)
    this.q('INSERT INTO staff (id, name, role, salt, pin_hash, disabled, created_at, pin_tag, pin_tag_mac) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)').run(id, person.name, person.role, c.salt, c.hash, this.clock.now(), c.tag, c.mac)
  }

  private nextId(role: Role): string {
    const prefix = role === 'owner' ? 'O' : role === 'manager' ? 'M' : 'C'
    const rows = this.q('SELECT id FROM staff WHERE id LIKE ?').all(`${prefix}%`) as { id: string }[]
    const taken = new Set(rows.map((r) => r.id))
    let n = 1
    while (taken.has(`${prefix}${n}`)) n++
    return `${prefix}${n}`
  }

  /**
   * The first people of a new store (the set-up, or the demo's published PINs). Call inside the caller's
   * transaction. `checkPins` false is for the demo store only, whose manager PIN 1234 predates the 6-digit rule.
   */
  createInitial(people: readonly NewStaff[], checkPins = true): StaffMember[] {
    return people.map((person) => {
      if (checkPins) this.checkNewPin(person.pin, person.role, null)
      const id = this.nextId(person.role)
      this.insert(id, person)
      this.journal('staff.added', { staffId: id, name: person.name, role: person.role, byStaffId: null })
      return { id, name: person.name, role: person.role }
    })
  }

  /** The owner adds a person. */
  add(ownerPin: string, person: NewStaff): StaffView {
    const owner = this.approve(ownerPin, 'staff.manage', null)
    const name = person.name.trim()
    if (!name) throw refuse('invalid-input', 'staff.name-empty')
    this.checkNewPin(person.pin, person.role, null)
    const id = this.db.transaction(() => {
      const id = this.nextId(person.role)
      this.insert(id, { ...person, name })
      this.journal('staff.added', { staffId: id, name, role: person.role, byStaffId: owner.id })
      return id
    }).immediate()
    return this.view(id)
  }

  private row(staffId: string): StaffRow {
    const row = this.q('SELECT * FROM staff WHERE id = ?').get(staffId) as StaffRow | undefined
    if (!row) throw refuse('not-found', 'staff.unknown', { staffId })
    return row
  }

  private view(staffId: string): StaffView {
    const r = this.row(staffId)
    return { id: r.id, name: r.name, role: r.role, disabled: r.disabled === 1 }
  }

  /** The owner disables (or enables again) a person; the last enabled owner stays, or nobody could manage staff. */
  setDisabled(ownerPin: string, staffId: string, disabled: boolean): StaffView {
    const target = this.row(staffId)
    if (disabled && target.role === 'owner') {
      const owners = (this.q("SELECT count(*) AS n FROM staff WHERE role = 'owner' AND disabled = 0").get() as { n: number }).n
      if (owners <= 1) throw refuse('conflict', 'staff.last-owner')
    }
    const owner = this.approve(ownerPin, 'staff.manage', staffId)
    this.db.transaction(() => {
      this.q('UPDATE staff SET disabled = ? WHERE id = ?').run(disabled ? 1 : 0, staffId)
      this.journal(disabled ? 'staff.disabled' : 'staff.enabled', { staffId, byStaffId: owner.id })
    }).immediate()
    if (disabled && this.signedIn?.id === staffId) this.setSession(null)
    return this.view(staffId)
  }

  /** The owner sets a new PIN for a person who forgot theirs. */
  resetPin(ownerPin: string, staffId: string, newPin: string): StaffView {
    const target = this.row(staffId)
    const owner = this.approve(ownerPin, 'staff.manage', staffId)
    this.checkNewPin(newPin, target.role, staffId)
    this.setPin(staffId, newPin, 'staff.pin-reset', owner.id)
    return this.view(staffId)
  }

  /** Anyone changes their own PIN by typing the current one (which says who they are). */
  changeOwnPin(currentPin: string, newPin: string): StaffView {
    const me = this.holderOf(currentPin, 'staff.pin-change-refused', {})
    this.checkNewPin(newPin, me.role, me.id)
    this.setPin(me.id, newPin, 'staff.pin-changed', me.id)
    return this.view(me.id)
  }

  private setPin(staffId: string, pin: string, kind: string, by: string): void {
    const c = this.pinColumns(staffId, pin)
    this.db.transaction(() => {
      this.q('UPDATE staff SET salt = ?, pin_hash = ?, pin_tag = ?, pin_tag_mac = ? WHERE id = ?').run(c.salt, c.hash, c.tag, c.mac, staffId)
      this.journal(kind, { staffId, byStaffId: by })
    }).immediate()
  }
}

/** The name the callers written before staff know it by. */
export { StaffService as ApprovalService }
