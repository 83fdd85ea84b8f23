import { type Static, Type } from 'typebox';
import { IsoDate, Nullable, Uuid } from '../api/common.js';

/** `GET /api/capacity` query: checked again, and defaulted, by `parseKpiFilters`. */
export const CapacityQuery = Type.Object(
  {
    from: Type.Optional(IsoDate),
    to: Type.Optional(IsoDate),
    location: Type.Optional(Uuid),
    practitioner: Type.Optional(Uuid),
    serviceLine: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

/** Hours, appointments and the two rates of one week at one location (or of a whole group). */
export const CapacityFigures = Type.Object({
  availableHours: Type.Number(),
  bookedHours: Type.Number(),
  /** Booked ÷ available hours; null without available hours. */
  utilization: Nullable(Type.Number()),
  /** Appointments starting in the cell, cancelled ones included; null when suppressed. */
  appointments: Nullable(Type.Integer()),
  noShowRate: Nullable(Type.Number()),
  cancellationRate: Nullable(Type.Number()),
  /** A count under the threshold was withheld (the rates with it). */
  suppressed: Type.Boolean(),
});

export const CapacityReport = Type.Object({
  filters: Type.Object({
    from: IsoDate,
    to: IsoDate,
    location: Nullable(Uuid),
    practitioner: Nullable(Uuid),
    serviceLine: Nullable(Uuid),
  }),
  /** When the lead times were read (the clock's instant). */
  asOf: Type.String({ format: 'date-time' }),
  /** Counts under it are withheld from this reader; null: the reader sees every count. */
  suppressionThreshold: Nullable(Type.Integer()),
  totals: CapacityFigures,
  weeks: Type.Array(
    Type.Object({
      week: IsoDate,
      locationId: Uuid,
      location: Type.String(),
      ...CapacityFigures.properties,
    }),
  ),
  /** Booked hours per service line (available hours are kept per practitioner, not per line). */
  serviceLines: Type.Array(
    Type.Object({
      serviceLineId: Nullable(Uuid),
      serviceLine: Type.String(),
      ...CapacityFigures.properties,
    }),
  ),
  /** Days from now to each service's third-next-available slot; null: fewer than three ahead. */
  leadTimes: Type.Array(
    Type.Object({
      serviceId: Uuid,
      service: Type.String(),
      thirdNextAvailableDays: Nullable(Type.Number()),
    }),
  ),
  /** How far ahead the lead times look, in days. */
  leadTimeHorizonDays: Type.Integer(),
});

export type CapacityQuery = Static<typeof CapacityQuery>;
export type CapacityFigures = Static<typeof CapacityFigures>;
export type CapacityReport = Static<typeof CapacityReport>;
