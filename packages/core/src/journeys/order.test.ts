import { describe, expect, it } from 'vitest';
import { orderControl, orderNeedsVisit, orderStatus } from './order.js';

const obr = (section: string, serviceText: string) => ({
  detail: 'OBR',
  section,
  serviceCode: '',
  serviceText,
});

describe('HL7 orders as referrals', () => {
  it('an imaging or consult order is a visit to schedule, by its section or else its service', () => {
    expect(orderNeedsVisit(obr('RAD', 'Anything'))).toBe(true);
    expect(orderNeedsVisit(obr('', 'CT Head'))).toBe(true);
    expect(orderNeedsVisit(obr('', 'MR Brain'))).toBe(true);
    expect(orderNeedsVisit(obr('', 'Cardiology consult'))).toBe(true);
    expect(orderNeedsVisit(obr('', 'Referral to dermatology'))).toBe(true);
  });

  it('a lab order, an unknown service and pharmacy, supply or diet orders need no visit', () => {
    expect(orderNeedsVisit(obr('HM', 'Hemogram and platelet count, automated'))).toBe(false);
    // The section wins over words: a lab section with "scan" in its text is still a lab.
    expect(orderNeedsVisit(obr('CH', 'Drug scan panel'))).toBe(false);
    expect(orderNeedsVisit(obr('', 'Glucose'))).toBe(false);
    for (const detail of ['RXO', 'RQD', 'ODS', null])
      expect(
        orderNeedsVisit({ detail, section: '', serviceCode: '', serviceText: 'CT Head' }),
      ).toBe(false);
  });

  it('order controls: new and change orders place, cancels revoke, holds hold, others are not mapped', () => {
    expect(orderControl('NW')).toBe('place');
    expect(orderControl('xo')).toBe('place');
    for (const code of ['CA', 'OC', 'CR', 'DC', 'OD', 'DR'])
      expect(orderControl(code)).toBe('cancel');
    expect(orderControl('HD')).toBe('hold');
    expect(orderControl('RL')).toBe('release');
    expect(orderControl('OK')).toBeNull();
    expect(orderControl('')).toBeNull();
  });

  it('the status follows the control, else the order status ORC-5', () => {
    expect(orderStatus('cancel', '')).toBe('revoked');
    expect(orderStatus('hold', 'IP')).toBe('on-hold');
    // A new order the filler has already scheduled (ORC-5 SC) is still active until booked.
    expect(orderStatus('place', 'SC')).toBe('active');
    expect(orderStatus('place', '')).toBe('active');
    expect(orderStatus('place', 'CM')).toBe('completed');
    expect(orderStatus('place', 'CA')).toBe('revoked');
    expect(orderStatus('release', '')).toBe('active');
  });
});
