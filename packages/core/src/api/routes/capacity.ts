import { CapacityQuery, CapacityReport } from '../../capacity/api.js';
import { route } from '../contract.js';

export const capacityRoutes = {
  report: route({
    method: 'GET',
    path: '/api/capacity',
    policy: { permission: 'analytics:read' },
    tags: ['analytics'],
    summary:
      'Capacity and utilization: booked against available hours by week and location, booked hours by service line, no-show and cancellation rates, third-next-available per service; small cells withheld from roles without clinical access',
    query: CapacityQuery,
    reply: CapacityReport,
  }),
};
