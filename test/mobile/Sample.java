// Sample is an app's use of the whole bound wallet API, compiled by scripts/gobind-check.sh
// against the Java that gobind generates for wallet-sdk/mobile. On Android the key store is
// the Android Keystore; the JDK's own EC provider stands in here so the sample compiles
// without an Android SDK.
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.HashMap;
import java.util.Map;

import org.idgate.wallet.mobile.KeyAttester;
import org.idgate.wallet.mobile.Mobile;
import org.idgate.wallet.mobile.PlatformKeyStore;
import org.idgate.wallet.mobile.Wallet;

public final class Sample {
    // Keys generates and signs inside the platform; on Android KeyPairGenerator.getInstance("EC",
    // "AndroidKeyStore") with a KeyGenParameterSpec allowing DIGEST_NONE (StrongBox if present).
    static final class Keys implements PlatformKeyStore {
        private final Map<String, KeyPair> keys = new HashMap<>();

        @Override public byte[] generateP256(String alias) throws Exception {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            keys.put(alias, kp);
            return kp.getPublic().getEncoded(); // SubjectPublicKeyInfo DER
        }

        @Override public byte[] sign(String alias, byte[] digest) throws Exception {
            KeyPair kp = keys.get(alias);
            if (kp == null) throw new Exception("no key " + alias);
            Signature s = Signature.getInstance("NONEwithECDSA"); // the digest is already SHA-256
            s.initSign(kp.getPrivate());
            s.update(digest);
            return s.sign(); // ASN.1 DER
        }

        @Override public void delete(String alias) throws Exception {
            keys.remove(alias);
        }
    }

    // Attester asks the wallet provider's backend to attest a key: on Android it sends the key's
    // Keystore certificate chain (generated with the issuer's nonce as attestation challenge)
    // and gets back a key-attestation+jwt; here the call is left to the app.
    static final class Attester implements KeyAttester {
        @Override public String attestKey(String alias, String nonce) throws Exception {
            return ""; // no attestation: issuers that require one refuse with invalid_proof
        }
    }

    // run makes every call off the main thread: each one may wait on the network.
    static void run(String dir, byte[] storeKey, byte[] verifierRootsPEM, byte[] statusRootsPEM,
                    String offerURI, String txCode, String vpLink, byte[] requestJSON) {
        try {
            Wallet w = Mobile.openWalletWithRoots(dir, storeKey, verifierRootsPEM, statusRootsPEM, new Keys());
            Wallet soft = Mobile.openWallet(dir + "/software", storeKey, null);
            Wallet attested = Mobile.openWalletWithKeyAttester(dir + "/attested", storeKey, verifierRootsPEM, statusRootsPEM, new Keys(), new Attester());
            Wallet dev = Mobile.openDevelopmentWallet(dir + "/dev", storeKey, null, null, null); // -tags idgate_dev only
            String offer = w.previewOffer(offerURI); // issuer, credentials, tx_code to ask for
            String previewed = w.acceptPreviewedOffer(offer, txCode); // preview_id parsed from offer
            String ids = w.acceptOffer(offerURI, txCode);
            String list = w.listJSON();
            String id = w.findCredentialID("urn:idgate:vct:government-employee-id:1");
            String one = w.credentialJSON(id);
            String status = w.credentialStatus(id); // "valid", "revoked", "suspended"...
            String presentation = w.present(id, requestJSON);
            String mdl = w.findCredentialID("org.iso.18013.5.1.mDL");
            // At a gate, from the gate's request (its audience as client_id and response_uri):
            String deviceResponse = w.presentMdoc(mdl, "{\"client_id\":\"https://gate.example/a1\",\"nonce\":\"n\","
                + "\"response_uri\":\"https://gate.example/a1\",\"elements\":{\"org.iso.18013.5.1\":[\"family_name\"]}}");
            String preview = w.resolveVP(vpLink);
            String requestID = preview; // parsed from the preview's "request_id"
            String answer = w.respondVP(requestID, "{}");
            String declined = w.declineVP(requestID);
            w.delete(id);
            w.cancel(); // from the UI thread: ends the calls in progress with code "cancelled"
            System.out.println(previewed + ids + list + one + status + presentation + deviceResponse + answer + declined + soft + dev + attested);
        } catch (Exception e) {
            System.out.println("wallet error: " + Mobile.errorCode(e));
        }
    }

    public static void main(String[] args) {
        run(args[0], new byte[32], new byte[0], new byte[0], args[1], "", args[2], new byte[0]);
    }
}
