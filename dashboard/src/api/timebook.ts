import { http, seg } from './http';
import type {
  CreateBlockRequest,
  CreatedBlock,
  OpenSlotsRequest,
  OpenSlotsResult,
  TimebookBlock,
  TimebookDay,
  TimebookDayUpdate,
  TimebookResourceInfo,
} from './types';

/** Administering a unit's timebook (R10, R15, R16): opening times, blocks, day notes. */
export const timebookApi = {
  resources: (unitId: string) => http.get<TimebookResourceInfo[]>(`/units/${seg(unitId)}/timebook/resources`),
  openSlots: (unitId: string, body: OpenSlotsRequest) =>
    http.post<OpenSlotsResult>(`/units/${seg(unitId)}/timebook/slots`, body),
  blocks: (unitId: string, date: string) =>
    http.get<TimebookBlock[]>(`/units/${seg(unitId)}/timebook/blocks`, { query: { date } }),
  createBlock: (unitId: string, body: CreateBlockRequest) =>
    http.post<CreatedBlock>(`/units/${seg(unitId)}/timebook/blocks`, body),
  removeBlock: (blockId: string) => http.delete<unknown>(`/timebook/blocks/${seg(blockId)}`),
  /** Days without a note or setting are absent from the answer. */
  days: (unitId: string, from: string, to: string) =>
    http.get<TimebookDay[]>(`/units/${seg(unitId)}/timebook/days`, { query: { from, to } }),
  saveDay: (unitId: string, date: string, body: TimebookDayUpdate) =>
    http.put<TimebookDay>(`/units/${seg(unitId)}/timebook/days/${seg(date)}`, body),
};
