/**
 * A parameterised SQL statement built with a tagged template: values never become SQL text.
 *   sql`SELECT * FROM slot WHERE id = ${id}`  →  { text: 'SELECT * FROM slot WHERE id = $1', values: [id] }
 * Fragments compose: sql`... WHERE ${cond}` where `cond` is itself a Sql.
 */
export class Sql {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}

  toQuery(): { text: string; values: unknown[] } {
    const out: unknown[] = [];
    const text = this.render(out);
    return { text, values: out };
  }

  private render(out: unknown[]): string {
    let text = this.strings[0] ?? '';
    this.values.forEach((value, i) => {
      if (value instanceof Sql) {
        text += value.render(out);
      } else {
        out.push(value);
        text += `$${out.length}`;
      }
      text += this.strings[i + 1] ?? '';
    });
    return text;
  }
}

export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  return new Sql(strings, values);
}

/** Trusted SQL text (identifiers chosen by our code, never user input). */
export function raw(text: string): Sql {
  return new Sql([text], []);
}
