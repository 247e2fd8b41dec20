// Which SQL semantics an evaluation follows. Both surfaces parse the same text into the same IR;
// they differ in how it evaluates:
// - 'datafusion': the Table API (filters, valuesSql, merge conditions, computed columns), as
//   Lance 12 evaluates them through DataFusion: int / int stays an integer (truncated), integer
//   division by zero and overflowing division fail, + - * wrap at the result's width, literals
//   take the type of the column they meet (lance-literals.ts), concat() skips NULLs, floats
//   order by IEEE total order with a NaN's sign (-NaN below every number, NaN above) while
//   -0.0 = 0.0, CAST from text is strict (no trimming, no fractions for integers).
// - 'spark': the SQL session (it mirrors lance-spark): `/` is fractional, division by zero is
//   NULL, NaN sorts above every number whatever its sign, concat() with a NULL is NULL.
// Callers pass it explicitly on every evaluation; there is no process-wide default.
export type Dialect = 'spark' | 'datafusion';
