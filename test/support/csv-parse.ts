/**
 * A strict RFC 4180 reader with a choice of separator: `,` as the file is
 * written, `;` as a spreadsheet in a semicolon-separated locale (de-DE, fr-FR…)
 * reads it. Quoted fields may hold anything; every record ends with CRLF, and
 * anything else (a bare quote in an unquoted field, an unterminated quoted
 * field, a lone CR or LF) throws.
 */
export function parseCsv(text: string, separator = ","): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error("unterminated quoted field");
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== separator && text[i] !== "\r" && text[i] !== "\n") {
        if (text[i] === '"') throw new Error(`bare quote in unquoted field at ${i}`);
        field += text[i++];
      }
    }
    record.push(field);
    if (text[i] === separator) {
      i++;
      continue;
    }
    if (text.slice(i, i + 2) !== "\r\n") throw new Error(`expected CRLF at ${i}, got ${JSON.stringify(text.slice(i, i + 2))}`);
    i += 2;
    records.push(record);
    record = [];
  }
  return records;
}
