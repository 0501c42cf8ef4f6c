// Today at a glance's api call, beside its service (a partial handler map the composition root spreads).
import type { Handlers } from '../api/registry'
import { computeToday, type TodayDeps } from './today'

export function todayHandlers(deps: TodayDeps): Pick<Handlers, 'day:today'> {
  return { 'day:today': () => computeToday(deps) }
}
