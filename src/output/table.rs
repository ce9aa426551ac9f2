//! Tables as the Kubeless CLI prints them: every cell left-aligned and padded to its column's
//! width, columns joined by a tab, cells wider than the limit wrapped onto continuation lines.

/// A table with a header row and a maximum column width.
pub struct Table {
    rows: Vec<Vec<String>>,
    max_width: usize,
}

impl Table {
    pub fn new(header: &[&str], max_width: usize) -> Self {
        Table {
            rows: vec![header.iter().map(|s| s.to_string()).collect()],
            max_width,
        }
    }

    /// A table without a header (describe's two columns).
    pub fn headless(max_width: usize) -> Self {
        Table {
            rows: Vec::new(),
            max_width,
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let wrapped: Vec<Vec<Vec<String>>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(|c| wrap(c, self.max_width)).collect())
            .collect();
        let columns = wrapped.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|i| {
                wrapped
                    .iter()
                    .filter_map(|r| r.get(i))
                    .flatten()
                    .map(|l| l.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for row in &wrapped {
            let height = row.iter().map(Vec::len).max().unwrap_or(1).max(1);
            for line in 0..height {
                let cells: Vec<String> = (0..row.len())
                    .map(|i| {
                        let text = row[i].get(line).map(String::as_str).unwrap_or("");
                        format!("{text:<width$}", width = widths[i])
                    })
                    .collect();
                out.push_str(&cells.join("\t"));
                out.push('\n');
            }
        }
        out
    }
}

/// Splits a cell into lines: at its own newlines, then at spaces to stay within `width`
/// (a word longer than `width` is cut).
fn wrap(cell: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for raw in cell.split('\n') {
        let mut line = String::new();
        for word in raw.split(' ') {
            let mut word = word.to_string();
            while word.chars().count() > width {
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                let head: String = word.chars().take(width).collect();
                word = word.chars().skip(width).collect();
                lines.push(head);
            }
            let needed = if line.is_empty() {
                word.chars().count()
            } else {
                line.chars().count() + 1 + word.chars().count()
            };
            if needed > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_padded_joined_by_tabs_and_multi_line_cells_continue() {
        let mut t = Table::new(&["NAME", "STATUS"], 50);
        t.row(vec!["hello".into(), "1/1 READY".into()]);
        t.row(vec!["a".into(), "x: 1\ny: 2".into()]);
        assert_eq!(
            t.render(),
            "NAME \tSTATUS   \nhello\t1/1 READY\na    \tx: 1     \n     \ty: 2     \n"
        );
    }

    #[test]
    fn long_cells_wrap_at_the_limit() {
        assert_eq!(wrap("aaa bbb ccc", 7), ["aaa bbb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        let t = Table::new(&["H"], 50);
        assert_eq!(t.render(), "H\n");
    }
}
