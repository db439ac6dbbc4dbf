//! The keys a deploy signs its requests with, found where the AWS CLI finds static keys: the
//! environment, then a profile of `~/.aws/credentials` or `~/.aws/config`. Never `site.toml`.
//! (Single sign-on, assumed roles, `credential_process` and instance roles are not read: export
//! their temporary keys into the environment, e.g. with `aws configure export-credentials`.)

use std::path::{Path, PathBuf};

use ini::Ini;
use rusty_s3::Credentials;

/// The variables holding the keys, as the AWS CLI names them.
const KEY_VARIABLE: &str = "AWS_ACCESS_KEY_ID";
const SECRET_VARIABLE: &str = "AWS_SECRET_ACCESS_KEY";
const TOKEN_VARIABLE: &str = "AWS_SESSION_TOKEN";

/// Where credentials come from: the process environment and home folder, or given values in tests.
pub trait Environment {
    /// A variable's value, if set and not empty.
    fn var(&self, name: &str) -> Option<String>;
}

/// The real environment of the process.
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

/// Finds the credentials: with `profile` (from the deploy target) that profile of the shared
/// files; otherwise the environment's keys, then the profile `AWS_PROFILE` names, or `default`.
/// Returns where they came from too, for messages.
pub fn find(env: &dyn Environment, profile: Option<&str>) -> Result<(Credentials, String), String> {
    if profile.is_none() {
        match (env.var(KEY_VARIABLE), env.var(SECRET_VARIABLE)) {
            (Some(key), Some(secret)) => {
                let credentials = match env.var(TOKEN_VARIABLE) {
                    Some(token) => Credentials::new_with_token(key, secret, token),
                    None => Credentials::new(key, secret),
                };
                return Ok((credentials, format!("{KEY_VARIABLE}/{SECRET_VARIABLE}")));
            }
            // Half a pair is a mistake to name, not a reason to use other keys.
            (Some(_), None) | (None, Some(_)) => {
                return Err(format!(
                    "only one of {KEY_VARIABLE} and {SECRET_VARIABLE} is set; set both, or neither to use ~/.aws/credentials"
                ));
            }
            (None, None) => {}
        }
    }
    let name = profile
        .map(str::to_owned)
        .or_else(|| env.var("AWS_PROFILE"))
        .unwrap_or_else(|| "default".to_owned());
    let home = env.var("HOME").or_else(|| env.var("USERPROFILE"));
    let file = |variable: &str, default: &str| {
        env.var(variable).map(PathBuf::from).or_else(|| {
            home.as_ref()
                .map(|h| Path::new(h).join(".aws").join(default))
        })
    };
    let credentials_file = file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    let config_file = file("AWS_CONFIG_FILE", "config");
    // The credentials file names a profile `[name]`; the config file `[profile name]`, except
    // `[default]`.
    let config_section = if name == "default" {
        name.clone()
    } else {
        format!("profile {name}")
    };
    for (path, section) in [(&credentials_file, &name), (&config_file, &config_section)] {
        let Some(path) = path else { continue };
        if let Some(credentials) = from_file(path, section)? {
            return Ok((
                credentials,
                format!("profile {name:?} of {}", path.display()),
            ));
        }
    }
    let looked_in: Vec<String> = [credentials_file, config_file]
        .into_iter()
        .flatten()
        .map(|p| p.display().to_string())
        .collect();
    Err(if profile.is_some() || env.var("AWS_PROFILE").is_some() {
        format!(
            "no keys for the profile {name:?} in {}",
            looked_in.join(" or ")
        )
    } else {
        format!(
            "no credentials: set {KEY_VARIABLE} and {SECRET_VARIABLE}, or give a [default] profile aws_access_key_id and aws_secret_access_key in {}",
            looked_in.join(" or ")
        )
    })
}

/// The keys of `section` in the INI file at `path`: none if the file or section does not exist or
/// lacks them, an error if the file cannot be read or parsed.
fn from_file(path: &Path, section: &str) -> Result<Option<Credentials>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let ini = Ini::load_from_str_noescape(&text)
        .map_err(|e| format!("{}:{}: {}", path.display(), e.line, e.msg))?;
    let Some(properties) = ini.section(Some(section)) else {
        return Ok(None);
    };
    let value = |key: &str| {
        properties
            .get(key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    Ok(
        match (
            value("aws_access_key_id"),
            value("aws_secret_access_key"),
            value("aws_session_token"),
        ) {
            (Some(key), Some(secret), Some(token)) => {
                Some(Credentials::new_with_token(key, secret, token))
            }
            (Some(key), Some(secret), None) => Some(Credentials::new(key, secret)),
            _ => None,
        },
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    struct Given(HashMap<&'static str, String>);

    impl Environment for Given {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).cloned()
        }
    }

    fn home_with(credentials: &str, config: &str) -> tempfile::TempDir {
        let home = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(home.path().join(".aws")).expect("mkdir");
        std::fs::write(home.path().join(".aws/credentials"), credentials).expect("write");
        std::fs::write(home.path().join(".aws/config"), config).expect("write");
        home
    }

    #[test]
    fn the_environment_comes_first_then_the_profiles() {
        let home = home_with(
            "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = file/secret+1\n\n[ci]\naws_access_key_id=CIKEY\naws_secret_access_key=cisecret\naws_session_token=T\n",
            "[profile other]\naws_access_key_id = CONFKEY\naws_secret_access_key = confsecret\n",
        );
        let home_path = home.path().display().to_string();
        let mut vars = HashMap::from([
            ("HOME", home_path),
            (KEY_VARIABLE, "ENVKEY".to_owned()),
            (SECRET_VARIABLE, "envsecret".to_owned()),
        ]);
        let key = |vars: &HashMap<&'static str, String>, profile: Option<&str>| {
            find(&Given(vars.clone()), profile).map(|(c, _)| {
                (
                    c.key().to_owned(),
                    c.secret().to_owned(),
                    c.token().map(str::to_owned),
                )
            })
        };
        assert_eq!(
            key(&vars, None),
            Ok(("ENVKEY".into(), "envsecret".into(), None))
        );
        assert_eq!(
            key(&vars, Some("ci")),
            Ok(("CIKEY".into(), "cisecret".into(), Some("T".into())))
        );
        vars.remove(KEY_VARIABLE);
        let half = key(&vars, None).expect_err("a secret without a key");
        assert!(half.contains("only one of"), "{half}");
        vars.remove(SECRET_VARIABLE);
        assert_eq!(
            key(&vars, None),
            Ok(("FILEKEY".into(), "file/secret+1".into(), None))
        );
        vars.insert("AWS_PROFILE", "other".into());
        assert_eq!(
            key(&vars, None),
            Ok(("CONFKEY".into(), "confsecret".into(), None))
        );
        let missing = key(&vars, Some("nope")).expect_err("no such profile");
        assert!(missing.contains("\"nope\""), "{missing}");
    }

    #[test]
    fn no_credentials_anywhere_says_where_it_looked() {
        let home = tempfile::tempdir().expect("temp dir");
        let vars = HashMap::from([("HOME", home.path().display().to_string())]);
        let error = find(&Given(vars), None).expect_err("no credentials");
        assert!(error.contains("AWS_ACCESS_KEY_ID"), "{error}");
        assert!(error.contains(".aws/credentials"), "{error}");
    }
}
