import { sheetToCsv } from '@careloop/core';

/** One sheet of a workbook, already turned into CSV text. */
export interface WorkbookSheet {
  name: string;
  csv: string;
  rows: number;
}

export const isWorkbook = (name: string) => /\.xlsx$/i.test(name);

/**
 * Reads an .xlsx workbook in the browser (read-excel-file, loaded on first use) into one CSV
 * text per non-empty sheet, so a sheet takes the same road as a CSV file.
 */
export async function readWorkbook(file: File): Promise<WorkbookSheet[]> {
  const { default: readXlsxFile } = await import('read-excel-file/browser');
  const sheets = await readXlsxFile(file);
  return sheets
    .filter((s) => s.data.length > 0)
    .map((s) => ({ name: s.sheet, csv: sheetToCsv(s.data), rows: s.data.length }));
}
