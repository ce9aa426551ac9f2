//! ServiceAccount tokens: JWTs signed with the engine's key (HS256, from the state directory),
//! with the claims of Kubernetes' bound tokens (`iss`, `sub`, `aud`, `exp`, `iat`, `nbf`,
//! `jti` and `kubernetes.io` naming the namespace and the ServiceAccount with its uid).

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The issuer, and the audience the engine accepts (a real cluster's default).
pub const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: Vec<String>,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub jti: String,
    #[serde(rename = "kubernetes.io")]
    pub kubernetes: KubernetesClaims,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KubernetesClaims {
    pub namespace: String,
    pub serviceaccount: ObjectRef,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ObjectRef {
    pub name: String,
    pub uid: String,
}

impl Claims {
    /// The claims of a token for a ServiceAccount, valid from `now` for `seconds`.
    pub fn new(namespace: &str, name: &str, uid: &str, audiences: Vec<String>, now: i64, seconds: i64) -> Claims {
        Claims {
            iss: ISSUER.to_string(),
            sub: format!("system:serviceaccount:{namespace}:{name}"),
            aud: audiences,
            exp: now + seconds,
            iat: now,
            nbf: now,
            jti: uuid::Uuid::new_v4().to_string(),
            kubernetes: KubernetesClaims {
                namespace: namespace.to_string(),
                serviceaccount: ObjectRef {
                    name: name.to_string(),
                    uid: uid.to_string(),
                },
            },
        }
    }
}

/// Signs and verifies tokens with one secret key.
pub struct Signer {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Signer {
    pub fn new(secret: &[u8]) -> Signer {
        Signer {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    pub fn sign(&self, claims: &Claims) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding).expect("HS256 signing cannot fail")
    }

    /// The claims of a token signed by this key, for the engine's audience, not expired nor
    /// used before its time; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_nbf = true;
        validation.set_audience(&[ISSUER]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iat", "nbf", "iss", "sub", "aud"]);
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()
            .map(|data| data.claims)
    }
}

pub fn now() -> i64 {
    k8s_openapi::jiff::Timestamp::now().as_second()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_token_verifies_and_names_its_service_account() {
        let signer = Signer::new(b"secret");
        let claims = Claims::new("a", "dev", "u1", vec![ISSUER.into()], now(), 600);
        let token = signer.sign(&claims);
        assert_eq!(signer.verify(&token), Some(claims));
    }

    #[test]
    fn expired_forged_and_foreign_tokens_do_not_verify() {
        let signer = Signer::new(b"secret");
        let expired = Claims::new("a", "dev", "u1", vec![ISSUER.into()], now() - 7200, 3600);
        assert_eq!(signer.verify(&signer.sign(&expired)), None);
        let claims = Claims::new("a", "dev", "u1", vec![ISSUER.into()], now(), 600);
        assert_eq!(Signer::new(b"other").verify(&signer.sign(&claims)), None);
        let other_audience = Claims::new("a", "dev", "u1", vec!["vault".into()], now(), 600);
        assert_eq!(signer.verify(&signer.sign(&other_audience)), None);
        let later = Claims {
            nbf: now() + 3600,
            ..claims
        };
        assert_eq!(signer.verify(&signer.sign(&later)), None);
        assert_eq!(signer.verify("not.a.token"), None);
    }
}
