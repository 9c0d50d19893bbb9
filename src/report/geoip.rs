//! [`GeoIp`]: AS number, AS organisation and country of an address, from
//! one or more MaxMind-format databases (GeoLite2-ASN, GeoLite2-Country,
//! GeoLite2-City, GeoIP2 equivalents, or any `.mmdb` with the same field
//! names), read with the `maxminddb` crate.
//!
//! Fields are read by path, not by database type, so one ASN and one
//! Country database can be combined: for each field the first database that
//! has it wins. Paths: `autonomous_system_number`,
//! `autonomous_system_organization`, then `country.iso_code`, falling back
//! to `registered_country.iso_code`.
//!
//! A database is read whole into memory when opened. A lookup that fails
//! (an IPv6 address in an IPv4-only database, a corrupt record) yields no
//! data for that database; it never fails the report.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use maxminddb::{PathElement, Reader};
use serde::Serialize;

use super::ReportError;

/// What the databases know about one address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GeoInfo {
    /// Autonomous system number.
    pub asn: Option<u32>,
    /// Autonomous system organisation.
    pub as_org: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: Option<String>,
}

impl GeoInfo {
    fn fill_from(&mut self, other: GeoInfo) {
        self.asn = self.asn.or(other.asn);
        if self.as_org.is_none() {
            self.as_org = other.as_org;
        }
        if self.country.is_none() {
            self.country = other.country;
        }
    }

    fn complete(&self) -> bool {
        self.asn.is_some() && self.as_org.is_some() && self.country.is_some()
    }
}

/// One or more MaxMind-format databases.
pub struct GeoIp {
    dbs: Vec<(PathBuf, Reader<Vec<u8>>)>,
}

impl fmt::Debug for GeoIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.dbs
                    .iter()
                    .map(|(p, r)| (p, &r.metadata().database_type)),
            )
            .finish()
    }
}

impl GeoIp {
    /// Opens one database.
    ///
    /// # Errors
    ///
    /// [`ReportError::GeoIp`] when the file cannot be read or is no
    /// MaxMind DB.
    pub fn open(path: &Path) -> Result<GeoIp, ReportError> {
        GeoIp::open_all(&[path])
    }

    /// Opens several databases (e.g. GeoLite2-ASN and GeoLite2-Country);
    /// earlier ones win when two know the same field.
    ///
    /// # Errors
    ///
    /// [`ReportError::GeoIp`] naming the first file that fails.
    pub fn open_all<P: AsRef<Path>>(paths: &[P]) -> Result<GeoIp, ReportError> {
        let mut dbs = Vec::with_capacity(paths.len());
        for p in paths {
            let path = p.as_ref();
            let reader = std::fs::read(path)
                .map_err(|e| ReportError::GeoIp {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                })
                .and_then(|bytes| {
                    Reader::from_source(bytes).map_err(|e| ReportError::GeoIp {
                        path: path.to_path_buf(),
                        reason: e.to_string(),
                    })
                })?;
            dbs.push((path.to_path_buf(), reader));
        }
        Ok(GeoIp { dbs })
    }

    /// A database from bytes already in memory (tests).
    ///
    /// # Errors
    ///
    /// [`ReportError::GeoIp`] (with `name` as the path) when `bytes` are no
    /// MaxMind DB.
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<GeoIp, ReportError> {
        let reader = Reader::from_source(bytes).map_err(|e| ReportError::GeoIp {
            path: PathBuf::from(name),
            reason: e.to_string(),
        })?;
        Ok(GeoIp {
            dbs: vec![(PathBuf::from(name), reader)],
        })
    }

    /// The `database_type` of each database, in order.
    pub fn database_types(&self) -> Vec<String> {
        self.dbs
            .iter()
            .map(|(_, r)| r.metadata().database_type.to_string())
            .collect()
    }

    /// What the databases know about `addr` (all `None` when nothing).
    pub fn lookup(&self, addr: IpAddr) -> GeoInfo {
        let mut info = GeoInfo::default();
        for (_, reader) in &self.dbs {
            if info.complete() {
                break;
            }
            info.fill_from(lookup_one(reader, addr));
        }
        info
    }
}

fn lookup_one(reader: &Reader<Vec<u8>>, addr: IpAddr) -> GeoInfo {
    let Ok(result) = reader.lookup(addr) else {
        return GeoInfo::default();
    };
    if !result.has_data() {
        return GeoInfo::default();
    }
    let key = PathElement::Key;
    let asn = result
        .decode_path::<u32>(&[key("autonomous_system_number")])
        .ok()
        .flatten();
    let as_org = result
        .decode_path::<String>(&[key("autonomous_system_organization")])
        .ok()
        .flatten();
    let country = result
        .decode_path::<String>(&[key("country"), key("iso_code")])
        .ok()
        .flatten()
        .or_else(|| {
            result
                .decode_path::<String>(&[key("registered_country"), key("iso_code")])
                .ok()
                .flatten()
        });
    GeoInfo {
        asn,
        as_org,
        country,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_names_the_path() {
        let err = GeoIp::open(Path::new("/nonexistent/GeoLite2-ASN.mmdb")).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("/nonexistent/GeoLite2-ASN.mmdb"), "{text}");
    }

    #[test]
    fn garbage_is_no_database() {
        let err = GeoIp::from_bytes("junk.mmdb", vec![0u8; 64]).unwrap_err();
        assert!(matches!(err, ReportError::GeoIp { .. }));
    }

    #[test]
    fn fill_keeps_first_known_field() {
        let mut a = GeoInfo {
            asn: Some(4134),
            as_org: None,
            country: None,
        };
        a.fill_from(GeoInfo {
            asn: Some(1),
            as_org: Some("X".into()),
            country: Some("CN".into()),
        });
        assert_eq!(a.asn, Some(4134));
        assert_eq!(a.as_org.as_deref(), Some("X"));
        assert_eq!(a.country.as_deref(), Some("CN"));
        assert!(a.complete());
    }
}
