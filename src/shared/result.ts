// Results, not exceptions, cross the bridge (STYLE.md §2). Plain readonly objects only.

export type ErrorCode =
  | 'invalid-input'
  | 'not-found'
  | 'unknown-barcode'
  | 'bad-barcode'
  | 'no-open-sale'
  | 'sale-not-open'
  | 'not-paid'
  | 'insufficient-cash'
  | 'forbidden'
  | 'approval-required'
  | 'conflict'
  | 'unavailable'
  | 'internal'

export interface ApiError {
  readonly code: ErrorCode
  readonly message: string
  /** Optional structured detail for the UI (never needed to understand the message). */
  readonly detail?: Readonly<Record<string, string | number | boolean | null>>
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError }

export const ok = <T>(value: T): Result<T> => ({ ok: true, value })
export const err = (code: ErrorCode, message: string, detail?: ApiError['detail']): Result<never> => ({
  ok: false,
  error: detail ? { code, message, detail } : { code, message }
})

/** A refusal a service throws on purpose; the api layer turns it into an `err` Result with this code and message. */
export class TillError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: ApiError['detail']
  ) {
    super(message)
    this.name = 'TillError'
  }
}
