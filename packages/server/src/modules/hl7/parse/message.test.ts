import { describe, expect, it } from 'vitest';
import { buildAck, buildBatchAck, HL7_ERROR } from './ack.js';
import { DEFAULT_DELIMITERS, escapeHl7, unescapeHl7 } from './escape.js';
import { bestEffortControlId, decodePayload, readMessage, splitMessages } from './message.js';

const ADT = [
  'MSH|^~\\&|EPIC|NORTH^2.16.840.1.113883.3.1^ISO|CARELOOP|CL|20240301083000-0500||ADT^A01^ADT_A01|MSG-1|P|2.5.1',
  'EVN|A01|20240301083000-0500',
  'PID|1||555123^^^NORTH&2.16.840.1.113883.3.1&ISO^MR~123-45-6789^^^SSA^SS||Okafor^Ngozi^Adaeze||19790214|F|||12 Elm St^Apt 3^Boston^MA^02118^USA^H||^PRN^PH^^1^617^5550142~^NET^Internet^ngozi@example.org',
  'PV1|1|I|W3^301^A||||||||MED||||||||V-9001^^^NORTH^VN|||||||||||||||||||||||||20240301081500-0500',
].join('\r');

function read(text: string) {
  const result = readMessage(text);
  if (!result.ok) throw new Error(`not readable: ${result.error}`);
  return result.message;
}

describe('reading HL7 v2 text', () => {
  it('reads the header: type, event, control id, sender and version', () => {
    const { header } = read(ADT);
    expect(header).toMatchObject({
      messageType: 'ADT',
      triggerEvent: 'A01',
      structure: 'ADT_A01',
      controlId: 'MSG-1',
      sendingApplication: 'EPIC',
      sendingFacility: 'NORTH',
      version: '2.5.1',
    });
  });

  it('gives components, subcomponents and repetitions, and empty text for what is absent', () => {
    const pid = read(ADT).segment('PID');
    expect(pid?.value(3, 4, 2)).toBe('2.16.840.1.113883.3.1');
    expect(pid?.repetitions(3)).toBe(2);
    expect(pid?.value(3, 5, 1, 1)).toBe('SS');
    expect(pid?.value(5, 2)).toBe('Ngozi');
    expect(pid?.value(3, 1, 1, 7)).toBe('');
    expect(pid?.value(99, 9, 9, 9)).toBe('');
    expect(pid?.repetitions(99)).toBe(0);
  });

  it('accepts LF and CRLF segment ends and a UTF-8 byte-order mark', () => {
    const bom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(ADT.replace(/\r/g, '\r\n')),
    ]);
    const [message] = splitMessages(decodePayload(bom)).messages;
    expect(
      read(message ?? '')
        .segment('PV1')
        ?.value(19),
    ).toBe('V-9001');
    const lf = splitMessages(ADT.replace(/\r/g, '\n')).messages[0] ?? '';
    expect(read(lf).segmentsNamed('PID')).toHaveLength(1);
  });

  it('reads bytes that are not UTF-8 as Latin-1 instead of failing', () => {
    const latin1 = Buffer.from(ADT.replace('Okafor', 'Müller'), 'latin1');
    const text = decodePayload(latin1);
    expect(
      read(splitMessages(text).messages[0] ?? '')
        .segment('PID')
        ?.value(5),
    ).toBe('Müller');
  });

  it('uses the delimiters MSH-1 and MSH-2 declare', () => {
    const custom =
      'MSH^~|\\&^SENDING^200M^RECEIVING^200^20120918173931-0500^^ADT~A24^2003582144^T^2.4\rPID^1^^11111~~~FOO&&0363|22222~~~BAR^^SMITH~JOHN';
    const message = read(custom);
    expect(message.header).toMatchObject({
      messageType: 'ADT',
      triggerEvent: 'A24',
      controlId: '2003582144',
    });
    const pid = message.segment('PID');
    expect(pid?.repetitions(3)).toBe(2);
    expect(pid?.value(3, 1, 1, 1)).toBe('22222');
    expect(pid?.value(3, 4, 3)).toBe('0363');
    expect(pid?.value(5, 2)).toBe('JOHN');
  });

  it('decodes escape sequences in values', () => {
    const text = ADT.replace('Okafor', 'O\\T\\Brien\\F\\x\\S\\y\\R\\z\\E\\w\\X41\\');
    expect(read(text).segment('PID')?.value(5)).toBe('O&Brien|x^y~z\\wA');
  });

  it('round-trips text through escaping with non-default delimiters', () => {
    const d = { field: '#', component: '%', repetition: '*', escape: '!', subcomponent: '@' };
    const text = 'a#b%c*d!e@f|g^h';
    expect(unescapeHl7(escapeHl7(text, d), d)).toBe(text);
  });

  it('keeps an unknown or unterminated escape sequence as it was, in linear time', () => {
    expect(unescapeHl7('a\\Q\\b\\', DEFAULT_DELIMITERS)).toBe('a\\Q\\b\\');
    const long = '\\'.repeat(200_000);
    const started = performance.now();
    expect(unescapeHl7(long, DEFAULT_DELIMITERS)).toHaveLength(long.length);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('cuts a batch into its messages and drops the envelope', () => {
    const batch = [
      'FHS|^~\\&|X',
      'BHS|^~\\&|X',
      ADT,
      ADT.replace('MSG-1', 'MSG-2'),
      'BTS|2',
      'FTS|1',
    ].join('\r');
    const split = splitMessages(batch);
    expect(split.batch).toBe(true);
    expect(split.messages.map((m) => read(m).header.controlId)).toEqual(['MSG-1', 'MSG-2']);
  });

  it('treats messages separated by blank lines in a file as several messages', () => {
    const file = `${ADT}\n\n${ADT.replace('MSG-1', 'MSG-2')}\n`;
    expect(splitMessages(file).messages).toHaveLength(2);
  });

  it.each([
    ['', 'The message is empty'],
    ['HELLO', 'The message does not start with MSH'],
    ['\u0019MSH|^~\\&|A', 'The message does not start with MSH'],
    ['MSH|^|||||||^A|||2.2', 'MSH-2'],
    ['MSH|0000|||||||00|||2.8', 'MSH-2'],
    ['MSHA^~\\&', 'MSH-1'],
  ])('refuses %j with a reason instead of throwing', (text, reason) => {
    const result = readMessage(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(reason);
  });

  it('refuses a message without a type but keeps its header to answer with', () => {
    const result = readMessage('MSH|^~\\&|A|B|C|D|20240101|||CTRL-9|P|2.5');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.location).toBe('MSH-9');
      expect(result.header?.controlId).toBe('CTRL-9');
    }
  });

  it('finds the control id of a message whose encoding characters are broken', () => {
    expect(bestEffortControlId('MSH|^|a|b|c|d|e||ADT^A01|CTRL-7|P|2.5')).toBe('CTRL-7');
    expect(bestEffortControlId('garbage')).toBe('');
  });
});

describe('acknowledgements', () => {
  it('answers AA with MSA-2 equal to MSH-10, sender and receiver swapped', () => {
    const ack = buildAck(
      { header: read(ADT).header, code: 'AA' },
      new Date('2024-03-01T13:30:00Z'),
    );
    const [msh, msa, ...rest] = ack.split('\r');
    expect(msh).toMatch(
      /^MSH\|\^~\\&\|CARELOOP\|CL\|EPIC\|NORTH\^2\.16\.840\.1\.113883\.3\.1\^ISO\|20240301133000\+0000\|\|ACK\^A01\^ACK\|CL\w+\|P\|2\.5\.1$/,
    );
    expect(msa).toBe('MSA|AA|MSG-1');
    expect(rest).toEqual([]);
  });

  it('answers AE with the reason and the field in ERR, escaped in the sender delimiters', () => {
    const ack = buildAck({
      header: read(ADT).header,
      code: 'AE',
      error: {
        code: HL7_ERROR.dataTypeError,
        text: 'PID-7 (date of birth) is not valid | ^',
        location: 'PID-7',
      },
    });
    const [, msa, err] = ack.split('\r');
    expect(msa).toBe('MSA|AE|MSG-1|PID-7 (date of birth) is not valid \\F\\ \\S\\');
    expect(err).toBe(
      'ERR||PID^1^7|102^Data type error^HL70357|E||||PID-7 (date of birth) is not valid \\F\\ \\S\\',
    );
  });

  it('writes ERR the v2.3 way for a v2.3 message', () => {
    const header = read(ADT.replace('|2.5.1', '|2.3')).header;
    const ack = buildAck({
      header,
      code: 'AR',
      error: { code: HL7_ERROR.unsupportedEventCode, text: 'no', location: 'MSH-9' },
    });
    expect(ack.split('\r')[2]).toBe('ERR|MSH^1^9^201&Unsupported event code&HL70357');
  });

  it('echoes MSH-10 exactly as sent, in custom delimiters', () => {
    const header = read('MSH^~|\\&^S^F^R^RF^20120918^^ADT~A24^ID\\S\\1^T^2.4').header;
    const ack = buildAck({ header, code: 'AA' });
    expect(ack.split('\r')[1]).toBe('MSA^AA^ID\\S\\1');
    expect(ack.startsWith('MSH^~|\\&^')).toBe(true);
  });

  it('answers a batch with a batch of ACKs', () => {
    const one = buildAck({ header: read(ADT).header, code: 'AA' });
    const batch = buildBatchAck([one, one]);
    expect(batch.split('\r')[0]).toMatch(/^BHS\|/);
    expect(batch.split('\r').at(-1)).toBe('BTS|2');
    expect(batch.match(/MSA\|AA\|MSG-1/g)).toHaveLength(2);
  });
});
