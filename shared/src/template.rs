//! `{{placeholder}}` templates for messages, tag names and replacements,
//! and today's date (honouring `SOURCE_DATE_EPOCH` for reproducible runs).

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

/// Today's date as `YYYY-MM-DD` in the local time zone (`TZ`, else the
/// system's), or the UTC date of `SOURCE_DATE_EPOCH` when it is set.
pub fn today() -> String {
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok());
    match epoch {
        Some(secs) => date_of(secs),
        None => jiff::Zoned::now().date().to_string(),
    }
}

/// `YYYY-MM-DD` (UTC) of a Unix time.
pub fn date_of(unix_seconds: i64) -> String {
    date_at(unix_seconds, 0)
}

/// `YYYY-MM-DD` of a Unix time in a fixed offset from UTC (a git
/// signature's `offset_minutes`).
pub fn date_at(unix_seconds: i64, offset_minutes: i32) -> String {
    let offset = jiff::tz::Offset::from_seconds(offset_minutes.saturating_mul(60))
        .unwrap_or(jiff::tz::Offset::UTC);
    jiff::Timestamp::from_second(unix_seconds)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::fixed(offset))
        .date()
        .to_string()
}

/// Noon UTC of a `YYYY-MM-DD` date, as a Unix time (a release dated that
/// day in every time zone within 12 hours of UTC).
pub fn date_epoch(date: &str) -> Option<i64> {
    let day: jiff::civil::Date = date.parse().ok()?;
    let noon = day.at(12, 0, 0, 0).to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    Some(noon.timestamp().as_second())
}

/// RFC 3339 UTC (`2026-11-22T00:00:00Z`) of a Unix time.
pub fn rfc3339(unix_seconds: i64) -> String {
    jiff::Timestamp::from_second(unix_seconds)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// `text` if it is a calendar date written `YYYY-MM-DD`.
///
/// # Errors
/// Another shape, or a day the calendar does not have.
pub fn valid_date(text: &str) -> Result<String, String> {
    let bad = || format!("`{text}` is not a calendar date of the form YYYY-MM-DD");
    let shape = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape {
        return Err(bad());
    }
    text.parse::<jiff::civil::Date>().map_err(|_| bad())?;
    Ok(text.to_string())
}

/// Days since 1970-01-01 of a date (for `Retry-After` HTTP dates).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> Option<i64> {
    let date = jiff::civil::Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    let days = date.since(jiff::civil::date(1970, 1, 1)).ok()?.get_days();
    Some(i64::from(days))
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
        let late = 1_795_305_600 - 3600; // 2026-11-21T23:00:00Z
        assert_eq!(date_at(late, 14 * 60), "2026-11-22");
        assert_eq!(date_at(late, -11 * 60), "2026-11-21");
        assert_eq!(rfc3339(late), "2026-11-21T23:00:00Z");
        assert_eq!(days_from_civil(1970, 1, 2), Some(1));
        assert_eq!(days_from_civil(2023, 2, 29), None);
        assert!(valid_date("2024-02-29").is_ok() && valid_date("2023-02-29").is_err());
        assert!(valid_date("2026-1-01").is_err() && valid_date("+2026-01-01").is_err());
    }
}
