//! `{{placeholder}}` templates for messages, tag names and replacements,
//! and today's date (honouring `SOURCE_DATE_EPOCH` for reproducible runs).

use std::time::{SystemTime, UNIX_EPOCH};

/// Expand every `{{name}}` in `template` from `vars`; an unknown name is
/// returned as the error.
pub fn render(template: &str, vars: &[(&str, &str)]) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        let name = rest[open + 2..open + close].trim();
        let value = vars
            .iter()
            .find(|(k, _)| *k == name)
            .ok_or_else(|| name.to_string())?
            .1;
        out.push_str(&rest[..open]);
        out.push_str(value);
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Today's date as `YYYY-MM-DD` in UTC, or the date of `SOURCE_DATE_EPOCH` when set.
pub fn today() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    date_of(secs)
}

/// `YYYY-MM-DD` (UTC) of a Unix time.
pub fn date_of(unix_seconds: i64) -> String {
    let (y, m, d) = civil_from_days(unix_seconds.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Howard Hinnant's days-to-civil algorithm.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_expands_known_names() {
        let vars = [("crate", "foo"), ("version", "1.2.0")];
        assert_eq!(
            render("{{crate}}-v{{ version }}", &vars).unwrap(),
            "foo-v1.2.0"
        );
        assert_eq!(
            render("no placeholders {", &vars).unwrap(),
            "no placeholders {"
        );
        assert_eq!(render("{{nope}}", &vars).unwrap_err(), "nope");
    }

    #[test]
    fn dates() {
        assert_eq!(date_of(0), "1970-01-01");
        assert_eq!(date_of(951_782_400), "2000-02-29");
        assert_eq!(date_of(1_795_305_600), "2026-11-22");
        assert_eq!(date_of(-86_400), "1969-12-31");
    }
}
