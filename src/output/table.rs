//! The one table aligner: left-aligned columns three spaces apart, no
//! trailing blanks, every cell flattened to one line.

use crate::error::one_line;

pub fn table<const N: usize>(header: Option<[&str; N]>, rows: &[[String; N]]) -> String {
    let header = header.map(|names| names.map(String::from));
    let rows: Vec<[String; N]> = header.iter().chain(rows).map(|row| row.clone().map(|cell| one_line(&cell))).collect();
    let widths: Vec<usize> = (0..N).map(|i| rows.iter().map(|row| row[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        out.push_str(cells.join("   ").trim_end());
        out.push('\n');
    }
    out
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
        assert_eq!(table(Some(["CLIENT ID", "ID"]), &rows), "CLIENT ID        ID\nmy-test-client   u-1\nevil name\n");
        assert_eq!(table::<1>(None, &[]), "");
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
