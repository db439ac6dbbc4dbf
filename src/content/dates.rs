//! Article dates: what front matter may say, and how it is kept.

use std::fmt::{self, Write};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// A publication date as the author wrote it: the instant, in the author's own offset.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(into = "StoredDate", try_from = "StoredDate")]
pub struct ArticleDate {
    /// The instant, carrying the offset it was written with (`+00:00` when none was given).
    pub instant: DateTime<FixedOffset>,
    /// False when only a day was given (`2024-06-19`).
    pub has_time: bool,
}

/// Two dates are the same only with the same offset too: a page shows the offset.
impl PartialEq for ArticleDate {
    fn eq(&self, other: &ArticleDate) -> bool {
        self.key() == other.key()
    }
}

impl Eq for ArticleDate {}

impl std::hash::Hash for ArticleDate {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl ArticleDate {
    /// The instant, the offset and whether a time was given: what tells two dates apart.
    fn key(&self) -> (DateTime<chrono::Utc>, i32, bool) {
        (
            self.instant.to_utc(),
            self.instant.offset().local_minus_utc(),
            self.has_time,
        )
    }

    /// Parses `YYYY-MM-DD`, an RFC 3339 date-time (`2024-06-19T02:50:00+09:00`, `...Z`), or a local
    /// date-time without offset (taken as UTC). A space may stand for the `T`. Years run from 0000
    /// to 9999, as feeds, sitemaps and browsers can show them.
    pub fn parse(text: &str) -> Result<ArticleDate, String> {
        let text = text.trim();
        let date = ArticleDate::parse_any_year(text)?;
        if !(0..=9999).contains(&date.instant.year()) || text.starts_with(['-', '+']) {
            return Err(format!(
                "{text:?} is not a date Annals can publish: the year must have four digits, from 0000 to 9999"
            ));
        }
        Ok(date)
    }

    fn parse_any_year(text: &str) -> Result<ArticleDate, String> {
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
            return Ok(ArticleDate {
                instant: utc().from_utc_datetime(&midnight),
                has_time: false,
            });
        }
        let normalized = text.replacen(' ', "T", 1);
        if let Ok(instant) = DateTime::parse_from_rfc3339(&normalized) {
            return Ok(ArticleDate {
                instant,
                has_time: true,
            });
        }
        // Jekyll's form: `2024-06-19 14:30:00 +0900`, the hour maybe of one digit.
        for format in ["%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z"] {
            if let Ok(instant) = DateTime::parse_from_str(text, format) {
                return Ok(ArticleDate {
                    instant,
                    has_time: true,
                });
            }
        }
        for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
            if let Ok(local) = NaiveDateTime::parse_from_str(&normalized, format) {
                return Ok(ArticleDate {
                    instant: utc().from_utc_datetime(&local),
                    has_time: true,
                });
            }
        }
        Err(format!(
            "{text:?} is not a valid date: write YYYY-MM-DD or an RFC 3339 date-time such as 2024-06-19T14:30:00+09:00"
        ))
    }

    /// The calendar day in the article's own offset: the day its readers saw on the dateline.
    pub fn local_date(&self) -> NaiveDate {
        self.instant.date_naive()
    }

    /// RFC 3339, for `<time datetime>` and machines; a date without time gives just the day.
    pub fn machine(&self) -> String {
        if self.has_time {
            self.instant.to_rfc3339()
        } else {
            self.local_date().format("%Y-%m-%d").to_string()
        }
    }

    /// The date formatted for readers with a chrono `strftime` pattern (checked by the config).
    pub fn display(&self, format: &str) -> String {
        strftime(&self.instant, format)
    }
}

/// `instant` formatted with a chrono `strftime` pattern, without ever panicking: a pattern chrono
/// cannot format (which the configuration check refuses) gives the RFC 3339 date-time instead.
pub fn strftime(instant: &DateTime<FixedOffset>, pattern: &str) -> String {
    let mut out = String::new();
    match write!(out, "{}", instant.format(pattern)) {
        Ok(()) => out,
        Err(_) => instant.to_rfc3339(),
    }
}

/// An RFC 2822 date-time (`Wed, 19 Jun 2024 02:50:00 +0900`) for RSS, which chrono's own
/// `to_rfc2822` would panic on outside the years 0 to 9999.
pub fn rfc2822(instant: &DateTime<FixedOffset>) -> String {
    strftime(instant, "%a, %-d %b %Y %H:%M:%S %z")
}

/// How a build cache keeps a date: numbers, quicker to read back than text.
#[derive(Clone, Copy, Serialize, Deserialize)]
struct StoredDate {
    seconds: i64,
    nanos: u32,
    offset_seconds: i32,
    has_time: bool,
}

impl From<ArticleDate> for StoredDate {
    fn from(date: ArticleDate) -> StoredDate {
        StoredDate {
            seconds: date.instant.timestamp(),
            nanos: date.instant.timestamp_subsec_nanos(),
            offset_seconds: date.instant.offset().local_minus_utc(),
            has_time: date.has_time,
        }
    }
}

impl TryFrom<StoredDate> for ArticleDate {
    type Error = String;

    fn try_from(stored: StoredDate) -> Result<ArticleDate, String> {
        let offset = FixedOffset::east_opt(stored.offset_seconds)
            .ok_or_else(|| format!("bad offset {}", stored.offset_seconds))?;
        let instant = DateTime::from_timestamp(stored.seconds, stored.nanos)
            .ok_or_else(|| format!("bad time {}", stored.seconds))?;
        Ok(ArticleDate {
            instant: instant.with_timezone(&offset),
            has_time: stored.has_time,
        })
    }
}

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!("zero is a valid offset"))
}

/// Like [`deserialize_date`], but text that is no date is kept as the message saying why, so
/// that it is reported with the file's other problems rather than stopping at the first.
pub fn deserialize_checked_date<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Result<ArticleDate, String>>, D::Error> {
    struct Checked;
    impl<'de> Visitor<'de> for Checked {
        type Value = Result<ArticleDate, String>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            DateVisitor.expecting(f)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(ArticleDate::parse(v))
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            DateVisitor.visit_map(map).map(Ok)
        }
    }
    d.deserialize_any(Checked).map(Some)
}

struct DateVisitor;

impl<'de> Visitor<'de> for DateVisitor {
    type Value = ArticleDate;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a date such as 2024-06-19 or 2024-06-19T14:30:00+09:00")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ArticleDate, E> {
        ArticleDate::parse(v).map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ArticleDate, A::Error> {
        // TOML hands its datetimes to serde as a one-entry map holding the text.
        let Some((_, text)) = map.next_entry::<String, String>()? else {
            return Err(de::Error::invalid_type(de::Unexpected::Map, &self));
        };
        ArticleDate::parse(&text).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_date_reads_back_the_same() {
        for text in [
            "2024-06-19T02:50:00.5+09:00",
            "2000-07-19",
            "1995-01-01T00:00:00-05:30",
        ] {
            let date = ArticleDate::parse(text).unwrap();
            let stored = StoredDate::from(date);
            assert_eq!(ArticleDate::try_from(stored).unwrap(), date);
        }
    }

    #[test]
    fn the_same_instant_in_another_offset_is_another_date() {
        let a = ArticleDate::parse("2024-06-19T12:00:00+02:00").unwrap();
        let b = ArticleDate::parse("2024-06-19T10:00:00Z").unwrap();
        assert_eq!(a.instant, b.instant);
        assert_ne!(a, b);
        assert_ne!(crate::hash::stable_hash(a), crate::hash::stable_hash(b));
    }

    #[test]
    fn keeps_offset_and_local_day() {
        let d = ArticleDate::parse("2024-06-19T02:50:00+09:00").unwrap();
        assert_eq!(d.local_date().to_string(), "2024-06-19");
        assert_eq!(d.machine(), "2024-06-19T02:50:00+09:00");
        assert_eq!(
            d.display("%-d %B %Y %H:%M %:z"),
            "19 June 2024 02:50 +09:00"
        );
    }

    #[test]
    fn rejects_years_feeds_cannot_show() {
        for text in [
            "-2024-06-19",
            "+10000-01-01",
            "+2024-06-19",
            "-0001-12-31 23:00",
        ] {
            let error = ArticleDate::parse(text).unwrap_err();
            assert!(error.contains("four digits"), "{text}: {error}");
        }
        assert!(ArticleDate::parse("0000-01-01").is_ok());
        let late = ArticleDate::parse("9999-12-31T23:00:00-05:00").unwrap();
        assert_eq!(rfc2822(&late.instant), "Fri, 31 Dec 9999 23:00:00 -0500");
        let early = ArticleDate::parse("2024-06-09T02:50:00+09:00").unwrap();
        assert_eq!(rfc2822(&early.instant), early.instant.to_rfc2822());
        assert_eq!(strftime(&early.instant, "%#z"), early.instant.to_rfc3339());
    }

    #[test]
    fn accepts_jekyll_dates() {
        let d = ArticleDate::parse("2026-07-16 05:08:11 +0000").unwrap();
        assert_eq!(d.machine(), "2026-07-16T05:08:11+00:00");
        let d = ArticleDate::parse("2024-06-19 9:05:00 +0900").unwrap();
        assert_eq!(d.machine(), "2024-06-19T09:05:00+09:00");
        let d = ArticleDate::parse("2024-06-19 09:05 -05:00").unwrap();
        assert_eq!(d.machine(), "2024-06-19T09:05:00-05:00");
    }

    #[test]
    fn accepts_plain_days_and_rejects_impossible_ones() {
        let d = ArticleDate::parse("2000-07-19").unwrap();
        assert!(!d.has_time);
        assert_eq!(d.machine(), "2000-07-19");
        assert!(ArticleDate::parse("2024-02-30").is_err());
        assert!(ArticleDate::parse("yesterday").is_err());
        assert!(ArticleDate::parse("2024-06-19 10:00:00Z").unwrap().has_time);
    }
}
