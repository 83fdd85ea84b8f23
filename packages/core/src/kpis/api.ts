import { Type } from 'typebox';
import { IsoDate, Nullable, Uuid } from '../api/common.js';

/** `GET /api/kpis` query: checked again, and defaulted, by `parseKpiFilters`. */
export const KpiQuery = Type.Object(
  {
    from: Type.Optional(IsoDate),
    to: Type.Optional(IsoDate),
    grain: Type.Optional(
      Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')]),
    ),
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
    grain: Type.String(),
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
      unit: Type.String(),
      higherIsBetter: Type.Boolean(),
      definition: Type.String(),
      availability: Type.String(),
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
