//! The one table aligner: left-aligned columns three spaces apart, no
//! trailing blanks, every cell flattened to one line. The default tables fit
//! the terminal (kubectl's are narrow; ours hold URLs and Secret names):
//! when stdout is a terminal, or COLUMNS is set, the longest cells give up
//! characters from their middle, marked `…`, cutting as few cells as it can,
//! until the table fits. Pipes get every cell whole, and so does `-o wide`.

use crate::error::one_line;

const GAP: &str = "   ";
/// No column is cut below this many characters (or its header's width):
/// a cut name should still be recognizable.
const NARROWEST: usize = 12;

/// A table that fits the terminal's width, when there is one.
pub fn table<const N: usize>(header: Option<[&str; N]>, rows: &[[String; N]]) -> String {
    table_within(header, rows, terminal_width())
}

/// `-o wide`: every cell whole, however wide.
pub fn wide_table<const N: usize>(header: Option<[&str; N]>, rows: &[[String; N]]) -> String {
    table_within(header, rows, None)
}

/// The table within `width` columns when given, as far as cutting columns
/// down to their narrowest allows.
pub fn table_within<const N: usize>(header: Option<[&str; N]>, rows: &[[String; N]], width: Option<usize>) -> String {
    let header = header.map(|names| names.map(String::from));
    let floors: [usize; N] = std::array::from_fn(|i| header.as_ref().map_or(0, |names| names[i].chars().count()).max(NARROWEST));
    let rows: Vec<[String; N]> = header.iter().chain(rows).map(|row| row.clone().map(|cell| one_line(&cell))).collect();
    let lengths: Vec<Vec<usize>> = (0..N).map(|i| rows.iter().map(|row| row[i].chars().count()).collect()).collect();
    let mut widths: [usize; N] = std::array::from_fn(|i| lengths[i].iter().copied().max().unwrap_or(0));
    if let Some(width) = width {
        shrink(&mut widths, &floors, &lengths, width.saturating_sub(GAP.len() * N.saturating_sub(1)));
    }
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> =
            row.iter().zip(&widths).map(|(cell, &width)| format!("{:<width$}", cut_middle(cell, width))).collect();
        out.push_str(cells.join(GAP).trim_end());
        out.push('\n');
    }
    out
}

/// Take one character at a time until the columns sum to `room`, each time
/// from the column where it cuts the fewest cells (`lengths`: each column's
/// cell lengths), the widest of those: a long value in one row costs that
/// row, not every row of its column.
fn shrink(widths: &mut [usize], floors: &[usize], lengths: &[Vec<usize>], room: usize) {
    while widths.iter().sum::<usize>() > room {
        let cut = |i: usize| lengths[i].iter().filter(|&&length| length >= widths[i]).count();
        let best = (0..widths.len()).filter(|&i| widths[i] > floors[i]).min_by_key(|&i| (cut(i), usize::MAX - widths[i], i));
        match best {
            Some(i) => widths[i] -= 1,
            None => return,
        }
    }
}

/// `cell` in `width` characters: whole, or its start and end around `…`
/// (a URL keeps its scheme and its path's end).
fn cut_middle(cell: &str, width: usize) -> String {
    let chars: Vec<char> = cell.chars().collect();
    if chars.len() <= width {
        return cell.to_string();
    }
    let keep = width.saturating_sub(1);
    let head = keep.div_ceil(2);
    let tail = keep - head;
    chars[..head].iter().chain(std::iter::once(&'…')).chain(&chars[chars.len() - tail..]).collect()
}

/// The width to fit: COLUMNS when it is set to a number, else the width of
/// the terminal stdout is, else none.
pub fn terminal_width() -> Option<usize> {
    if let Some(columns) = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|&c| c > 0) {
        return Some(columns);
    }
    stdout_terminal_width()
}

#[cfg(unix)]
fn stdout_terminal_width() -> Option<usize> {
    let size = rustix::termios::tcgetwinsize(std::io::stdout()).ok()?;
    (size.ws_col > 0).then_some(usize::from(size.ws_col))
}

#[cfg(not(unix))]
fn stdout_terminal_width() -> Option<usize> {
    None
}

/// kubectl's AGE: 45s, 12m, 5h, 30d, 2y15d.
pub fn age(seconds: i64) -> String {
    let (minute, hour, day, year) = (60, 3600, 86_400, 365 * 86_400);
    match seconds {
        s if s < 2 * minute => format!("{s}s"),
        s if s < 2 * hour => format!("{}m", s / minute),
        s if s < 2 * day => format!("{}h", s / hour),
        s if s < 2 * year => format!("{}d", s / day),
        s => format!("{}y{}d", s / year, (s % year) / day),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_hostile_cells_stay_on_their_line() {
        let rows = [["my-test-client".to_string(), "u-1".into()], ["evil\nname".into(), "".into()]];
        assert_eq!(wide_table(Some(["CLIENT ID", "ID"]), &rows), "CLIENT ID        ID\nmy-test-client   u-1\nevil name\n");
        assert_eq!(wide_table::<1>(None, &[]), "");
    }

    #[test]
    fn the_widest_column_gives_up_its_middle_until_the_table_fits() {
        let rows = [
            ["services".to_string(), "https://keycloak-kc-openshift.apps.example.test/keycloak".into()],
            ["kc-two".into(), "https://keycloak-plain.kc-two.svc:8443/keycloak".into()],
        ];
        let fitted = table_within(Some(["NAMESPACE", "URL"]), &rows, Some(40));
        assert_eq!(
            fitted,
            "NAMESPACE   URL\n\
             services    https://keyclo…test/keycloak\n\
             kc-two      https://keyclo…8443/keycloak\n"
        );
        assert!(fitted.lines().all(|line| line.chars().count() <= 40), "{fitted}");
        assert_eq!(table_within(Some(["NAMESPACE", "URL"]), &rows, None), wide_table(Some(["NAMESPACE", "URL"]), &rows));
    }

    #[test]
    fn no_column_is_cut_below_its_header_or_twelve_characters() {
        let rows = [["a-long-namespace".to_string(), "a-long-name-of-a-thing".into()]];
        let fitted = table_within(Some(["NAMESPACE", "NAME"]), &rows, Some(10));
        assert_eq!(fitted, "NAMESPACE      NAME\na-long…space   a-long…thing\n");
    }

    #[test]
    fn ages_read_like_kubectl() {
        assert_eq!(age(45), "45s");
        assert_eq!(age(600), "10m");
        assert_eq!(age(5 * 3600), "5h");
        assert_eq!(age(91 * 86_400), "91d");
        assert_eq!(age(800 * 86_400), "2y70d");
    }
}
