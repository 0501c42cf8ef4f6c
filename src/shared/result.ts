// Results, not exceptions, cross the bridge (STYLE.md §2). Plain readonly objects only.
import { formatMessage, isMessageId, type MessageId, type MessageValues } from './messages'

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
  /** The message id (src/shared/messages.ts) the page words in its UI language, with `detail` as its values. */
  readonly key?: MessageId
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
    readonly detail?: ApiError['detail'],
    readonly key?: MessageId
  ) {
    super(message)
    this.name = 'TillError'
  }
}

/**
 * The way a service refuses: a code, a message id and its typed values. The English wording becomes `message`
 * (logs, and callers that cannot word it); the id travels as ApiError.key and the values as ApiError.detail, so
 * the page words the refusal in its own language (src/shared/messages.ts).
 */
export function refuse<K extends MessageId>(code: ErrorCode, key: K, ...values: keyof MessageValues<K> extends never ? [] : [MessageValues<K>]): TillError {
  const given = values[0] as Readonly<Record<string, string | number>> | undefined
  return new TillError(code, formatMessage('en', key, given ?? {}), given, key)
}

/** A TillError as it crosses the bridge. */
export function apiErrorOf(e: TillError): ApiError {
  return { code: e.code, message: e.message, ...(e.detail ? { detail: e.detail } : {}), ...(e.key ? { key: e.key } : {}) }
}

/** The message id and values of a refusal, wherever the registry put them. */
export function messageOf(error: ApiError): { key: MessageId; values: Readonly<Record<string, string | number | boolean | null>> } | null {
  const key = error.key
  return isMessageId(key) ? { key, values: error.detail ?? {} } : null
}
