import { Type } from 'typebox';
import { IsoDate, Nullable, Uuid } from '../api/common.js';

const KpiGrainSchema = Type.Union([
  Type.Literal('day'),
  Type.Literal('week'),
  Type.Literal('month'),
]);

/** `GET /api/kpis` query: checked again, and defaulted, by `parseKpiFilters`. */
export const KpiQuery = Type.Object(
  {
    from: Type.Optional(IsoDate),
    to: Type.Optional(IsoDate),
    grain: Type.Optional(KpiGrainSchema),
    location: Type.Optional(Uuid),
    practitioner: Type.Optional(Uuid),
    serviceLine: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

const CellSchema = {
  value: Nullable(Type.Number()),
  numerator: Nullable(Type.Number()),
  denominator: Nullable(Type.Number()),
  suppressed: Type.Boolean(),
};

export const KpiReportSchema = Type.Object({
  filters: Type.Object({
    from: IsoDate,
    to: IsoDate,
    grain: KpiGrainSchema,
    location: Nullable(Uuid),
    practitioner: Nullable(Uuid),
    serviceLine: Nullable(Uuid),
  }),
  previous: Type.Object({ from: IsoDate, to: IsoDate }),
  asOf: IsoDate,
  suppressionThreshold: Nullable(Type.Integer()),
  refreshedAt: Nullable(Type.String()),
  tiles: Type.Array(
    Type.Object({
      id: Type.String(),
      label: Type.String(),
      unit: Type.Union([
        Type.Literal('rate'),
        Type.Literal('count'),
        Type.Literal('days'),
        Type.Literal('currency'),
        Type.Literal('score'),
      ]),
      higherIsBetter: Type.Boolean(),
      definition: Type.String(),
      availability: Type.Union([
        Type.Literal('rollup'),
        Type.Literal('live'),
        Type.Literal('unavailable'),
      ]),
      needs: Nullable(Type.String()),
      current: Type.Object(CellSchema),
      previous: Type.Object(CellSchema),
      change: Nullable(Type.Number()),
      relativeChange: Nullable(Type.Number()),
      trend: Type.Array(Type.Object({ bucket: IsoDate, ...CellSchema })),
    }),
  ),
});

/** `POST /api/kpis/refresh` body: days to recompute (default: the trailing window). */
export const KpiRefreshBody = Type.Object(
  { from: Type.Optional(IsoDate), to: Type.Optional(IsoDate) },
  { additionalProperties: false },
);
