package com.guestops.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.guestops.gateway.error.GatewayMessages;
import com.guestops.gateway.error.VapiException;
import com.guestops.gateway.error.VapiMessage;
import com.guestops.gateway.host.GuestCredentials;
import com.guestops.gateway.terminate.TerminateCommand;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What {@link TerminateRequestParser} answers for a body, pinned body by body: every violation (id, field, text, in
 * order) or the credentials it reads. The answers were taken from the parser as it was when the body was read as a
 * JSON tree, so that reading it in one streaming pass is held to exactly the same answers.
 */
class TerminateRequestParserBodyTest {

    private static final String UP = "'type':'USERNAME_PASSWORD'";
    private static final String SAML = "'type':'SAML_BEARER_TOKEN'";
    private static final String VALID = "{'credentials':{" + UP + ",'user_name':'root','password':'vmware'}}";

    static Stream<Arguments> bodies() {
        List<Arguments> cases = new ArrayList<>();
        // valid
        cases.add(c("password", j(VALID),
                "USERNAME_PASSWORD user=root password=vmware interactive=false"));
        cases.add(c("password, interactive", j("{'credentials':{" + UP + ",'user_name':'root','password':'vmware','interactive_session':true}}"),
                "USERNAME_PASSWORD user=root password=vmware interactive=true"));
        cases.add(c("password, not interactive", j("{'credentials':{" + UP + ",'password':'vmware','interactive_session':false}}"),
                "USERNAME_PASSWORD user=null password=vmware interactive=false"));
        cases.add(c("password, nulls", j("{'credentials':{" + UP + ",'user_name':null,'password':'','saml_token':null,'interactive_session':null}}"),
                "USERNAME_PASSWORD user=null password= interactive=false"));
        cases.add(c("saml", j("{'credentials':{" + SAML + ",'saml_token':'tok'}}"),
                "SAML_BEARER_TOKEN user=null token=tok"));
        cases.add(c("saml, user, nulls", j("{'credentials':{'user_name':'alice'," + SAML + ",'saml_token':'tok','password':null,'interactive_session':false}}"),
                "SAML_BEARER_TOKEN user=alice token=tok"));
        cases.add(c("saml, interactive null", j("{'credentials':{" + SAML + ",'saml_token':'tok','interactive_session':null}}"),
                "SAML_BEARER_TOKEN user=null token=tok"));
        cases.add(c("unknown fields everywhere", j("{'x':{'a':[1,{'b':null}],'c':'d','credentials':7},'credentials':{'extra':[[]],'password':'p'," + UP + ",'more':{'type':5,'password':[1]}},'y':[true,false,null,1.5e3,-0,\"\\u0041\"],'z':{}}"),
                "USERNAME_PASSWORD user=null password=p interactive=false"));
        cases.add(c("whitespace around", j(" \n\t{ 'credentials' : { " + UP + " ,\r\n 'password' : 'x' } } \n "),
                "USERNAME_PASSWORD user=null password=x interactive=false"));
        cases.add(c("escaped names and values", j("{'cred\\u0065ntials':{'typ\\u0065':'USERNAME_PASSWORD','password':'p\\u00e9\\n\\\"','user_name':'r\\/t'}}"),
                "USERNAME_PASSWORD user=r/t password=p\u00e9\n\" interactive=false"));
        cases.add(c("non-ASCII values", j("{'credentials':{" + UP + ",'user_name':'jos\u00e9\u4e2d\ud83d\ude00','password':'\u00fc'}}"),
                "USERNAME_PASSWORD user=jos\u00e9\u4e2d\ud83d\ude00 password=\u00fc interactive=false"));
        cases.add(c("UTF-8 byte order mark", raw("\ufeff" + json(VALID)),
                "USERNAME_PASSWORD user=root password=vmware interactive=false"));
        cases.add(c("UTF-16BE", json(VALID).getBytes(StandardCharsets.UTF_16BE),
                "USERNAME_PASSWORD user=root password=vmware interactive=false"));
        cases.add(c("UTF-16LE", json(VALID).getBytes(StandardCharsets.UTF_16LE),
                "USERNAME_PASSWORD user=root password=vmware interactive=false"));
        cases.add(c("UTF-32BE", json(VALID).getBytes(Charset.forName("UTF-32BE")),
                "USERNAME_PASSWORD user=root password=vmware interactive=false"));
        cases.add(c("UTF-32LE", json(VALID).getBytes(Charset.forName("UTF-32LE")),
                "USERNAME_PASSWORD user=root password=vmware interactive=false"));
        cases.add(c("100-digit numbers", j("{'a':" + "1".repeat(100) + ",'b':-" + "2".repeat(100) + ",'credentials':{" + UP + ",'password':'x','n':" + "3".repeat(100) + "}}"),
                "USERNAME_PASSWORD user=null password=x interactive=false"));
        cases.add(c("nesting 64 deep", j("{'a':" + "[".repeat(63) + "]".repeat(63) + ",'credentials':{" + UP + ",'password':'x','o':" + "{'o':".repeat(62) + "1" + "}".repeat(62) + "}}"),
                "USERNAME_PASSWORD user=null password=x interactive=false"));

        // no body, no object
        cases.add(c("empty", new byte[0],
                "invalid_argument",
                "body.required [body] A request body with 'credentials' is required."));
        cases.add(c("spaces", j("   "),
                "invalid_argument",
                "body.required [body] A request body with 'credentials' is required."));
        cases.add(c("whitespace", j(" \n\t\r "),
                "invalid_argument",
                "body.required [body] A request body with 'credentials' is required."));
        cases.add(c("null", j("null"),
                "invalid_argument",
                "body.required [body] A request body with 'credentials' is required."));
        cases.add(c("null in spaces", j("  null\n"),
                "invalid_argument",
                "body.required [body] A request body with 'credentials' is required."));
        cases.add(c("empty array", j("[]"),
                "invalid_argument",
                "body.not_object [body] The request body must be a JSON object."));
        cases.add(c("array", j("[1,{'credentials':{}}]"),
                "invalid_argument",
                "body.not_object [body] The request body must be a JSON object."));
        cases.add(c("number", j("1"),
                "invalid_argument",
                "body.not_object [body] The request body must be a JSON object."));
        cases.add(c("negative float", j("-0.5e2"),
                "invalid_argument",
                "body.not_object [body] The request body must be a JSON object."));
        cases.add(c("string", j("'x'"),
                "invalid_argument",
                "body.not_object [body] The request body must be a JSON object."));
        cases.add(c("true", j("true"),
                "invalid_argument",
                "body.not_object [body] The request body must be a JSON object."));
        cases.add(c("false", j("false"),
                "invalid_argument",
                "body.not_object [body] The request body must be a JSON object."));
        cases.add(c("64-deep array root", j("[".repeat(64) + "]".repeat(64)),
                "invalid_argument",
                "body.not_object [body] The request body must be a JSON object."));

        // credentials
        cases.add(c("empty object", j("{}"),
                "invalid_argument",
                "credentials.required [credentials] Field 'credentials' is required."));
        cases.add(c("credentials null", j("{'credentials':null}"),
                "invalid_argument",
                "credentials.required [credentials] Field 'credentials' is required."));
        cases.add(c("credentials other case", j("{'Credentials':{" + UP + ",'password':'x'}}"),
                "invalid_argument",
                "credentials.required [credentials] Field 'credentials' is required."));
        cases.add(c("credentials nested only", j("{'a':{'credentials':{" + UP + ",'password':'x'}}}"),
                "invalid_argument",
                "credentials.required [credentials] Field 'credentials' is required."));
        cases.add(c("credentials string", j("{'credentials':'root:vmware'}"),
                "invalid_argument",
                "credentials.not_object [credentials] Field 'credentials' must be an object."));
        cases.add(c("credentials number", j("{'credentials':1}"),
                "invalid_argument",
                "credentials.not_object [credentials] Field 'credentials' must be an object."));
        cases.add(c("credentials true", j("{'credentials':true}"),
                "invalid_argument",
                "credentials.not_object [credentials] Field 'credentials' must be an object."));
        cases.add(c("credentials false", j("{'credentials':false}"),
                "invalid_argument",
                "credentials.not_object [credentials] Field 'credentials' must be an object."));
        cases.add(c("credentials array", j("{'credentials':[{" + UP + "}]}"),
                "invalid_argument",
                "credentials.not_object [credentials] Field 'credentials' must be an object."));
        cases.add(c("credentials empty array", j("{'credentials':[]}"),
                "invalid_argument",
                "credentials.not_object [credentials] Field 'credentials' must be an object."));

        // type
        cases.add(c("credentials empty", j("{'credentials':{}}"),
                "invalid_argument",
                "credentials.type.required [credentials.type] Field 'credentials.type' is required."));
        cases.add(c("type absent", j("{'credentials':{'user_name':'root','password':'vmware'}}"),
                "invalid_argument",
                "credentials.type.required [credentials.type] Field 'credentials.type' is required."));
        cases.add(c("type null", j("{'credentials':{'type':null,'password':'vmware'}}"),
                "invalid_argument",
                "credentials.type.required [credentials.type] Field 'credentials.type' is required."));
        cases.add(c("type number", j("{'credentials':{'type':7}}"),
                "invalid_argument",
                "credentials.type.invalid [credentials.type] Field 'credentials.type' must be USERNAME_PASSWORD or SAML_BEARER_TOKEN."));
        cases.add(c("type unknown", j("{'credentials':{'type':'KERBEROS','password':'x'}}"),
                "invalid_argument",
                "credentials.type.invalid [credentials.type] Field 'credentials.type' must be USERNAME_PASSWORD or SAML_BEARER_TOKEN."));
        cases.add(c("type lower case", j("{'credentials':{'type':'username_password','password':'x'}}"),
                "invalid_argument",
                "credentials.type.invalid [credentials.type] Field 'credentials.type' must be USERNAME_PASSWORD or SAML_BEARER_TOKEN."));
        cases.add(c("type true", j("{'credentials':{'type':true}}"),
                "invalid_argument",
                "credentials.type.invalid [credentials.type] Field 'credentials.type' must be USERNAME_PASSWORD or SAML_BEARER_TOKEN."));
        cases.add(c("type object", j("{'credentials':{'type':{'type':'USERNAME_PASSWORD'}}}"),
                "invalid_argument",
                "credentials.type.invalid [credentials.type] Field 'credentials.type' must be USERNAME_PASSWORD or SAML_BEARER_TOKEN."));
        cases.add(c("type array", j("{'credentials':{'type':['USERNAME_PASSWORD']}}"),
                "invalid_argument",
                "credentials.type.invalid [credentials.type] Field 'credentials.type' must be USERNAME_PASSWORD or SAML_BEARER_TOKEN."));
        cases.add(c("type empty", j("{'credentials':{'type':''}}"),
                "invalid_argument",
                "credentials.type.invalid [credentials.type] Field 'credentials.type' must be USERNAME_PASSWORD or SAML_BEARER_TOKEN."));
        cases.add(c("type absent, password wrong", j("{'credentials':{'password':1}}"),
                "invalid_argument",
                "credentials.password.not_string [credentials.password] Field 'credentials.password' must be a string.",
                "credentials.type.required [credentials.type] Field 'credentials.type' is required."));
        cases.add(c("every type wrong", j("{'credentials':{'type':1,'user_name':5,'password':[],'saml_token':{},'interactive_session':'yes'}}"),
                "invalid_argument",
                "credentials.user_name.not_string [credentials.user_name] Field 'credentials.user_name' must be a string.",
                "credentials.password.not_string [credentials.password] Field 'credentials.password' must be a string.",
                "credentials.saml_token.not_string [credentials.saml_token] Field 'credentials.saml_token' must be a string.",
                "credentials.interactive_session.not_boolean [credentials.interactive_session] Field 'credentials.interactive_session' must be true or false.",
                "credentials.type.invalid [credentials.type] Field 'credentials.type' must be USERNAME_PASSWORD or SAML_BEARER_TOKEN."));
        cases.add(c("every type wrong, other order", j("{'credentials':{'interactive_session':1,'saml_token':false,'password':1.5,'user_name':true}}"),
                "invalid_argument",
                "credentials.user_name.not_string [credentials.user_name] Field 'credentials.user_name' must be a string.",
                "credentials.password.not_string [credentials.password] Field 'credentials.password' must be a string.",
                "credentials.saml_token.not_string [credentials.saml_token] Field 'credentials.saml_token' must be a string.",
                "credentials.interactive_session.not_boolean [credentials.interactive_session] Field 'credentials.interactive_session' must be true or false.",
                "credentials.type.required [credentials.type] Field 'credentials.type' is required."));
        cases.add(c("type unknown, others wrong", j("{'credentials':{'type':'X','user_name':{},'interactive_session':'true'}}"),
                "invalid_argument",
                "credentials.user_name.not_string [credentials.user_name] Field 'credentials.user_name' must be a string.",
                "credentials.interactive_session.not_boolean [credentials.interactive_session] Field 'credentials.interactive_session' must be true or false.",
                "credentials.type.invalid [credentials.type] Field 'credentials.type' must be USERNAME_PASSWORD or SAML_BEARER_TOKEN."));

        // USERNAME_PASSWORD
        cases.add(c("password absent", j("{'credentials':{" + UP + ",'user_name':'root'}}"),
                "invalid_argument",
                "credentials.password.required [credentials.password] Field 'credentials.password' is required when 'credentials.type' is USERNAME_PASSWORD."));
        cases.add(c("password null", j("{'credentials':{" + UP + ",'password':null}}"),
                "invalid_argument",
                "credentials.password.required [credentials.password] Field 'credentials.password' is required when 'credentials.type' is USERNAME_PASSWORD."));
        cases.add(c("password number", j("{'credentials':{" + UP + ",'password':5}}"),
                "invalid_argument",
                "credentials.password.not_string [credentials.password] Field 'credentials.password' must be a string."));
        cases.add(c("password object", j("{'credentials':{" + UP + ",'password':{'a':'b'}}}"),
                "invalid_argument",
                "credentials.password.not_string [credentials.password] Field 'credentials.password' must be a string."));
        cases.add(c("password true", j("{'credentials':{" + UP + ",'password':true}}"),
                "invalid_argument",
                "credentials.password.not_string [credentials.password] Field 'credentials.password' must be a string."));
        cases.add(c("password with token", j("{'credentials':{" + UP + ",'password':'x','saml_token':'t'}}"),
                "invalid_argument",
                "credentials.saml_token.not_allowed [credentials.saml_token] Field 'credentials.saml_token' must not be set when 'credentials.type' is USERNAME_PASSWORD."));
        cases.add(c("password with empty token", j("{'credentials':{" + UP + ",'password':'x','saml_token':''}}"),
                "invalid_argument",
                "credentials.saml_token.not_allowed [credentials.saml_token] Field 'credentials.saml_token' must not be set when 'credentials.type' is USERNAME_PASSWORD."));
        cases.add(c("password with token number", j("{'credentials':{" + UP + ",'password':'x','saml_token':5}}"),
                "invalid_argument",
                "credentials.saml_token.not_string [credentials.saml_token] Field 'credentials.saml_token' must be a string.",
                "credentials.saml_token.not_allowed [credentials.saml_token] Field 'credentials.saml_token' must not be set when 'credentials.type' is USERNAME_PASSWORD."));
        cases.add(c("password absent, token", j("{'credentials':{" + UP + ",'saml_token':'t'}}"),
                "invalid_argument",
                "credentials.password.required [credentials.password] Field 'credentials.password' is required when 'credentials.type' is USERNAME_PASSWORD.",
                "credentials.saml_token.not_allowed [credentials.saml_token] Field 'credentials.saml_token' must not be set when 'credentials.type' is USERNAME_PASSWORD."));
        cases.add(c("password interactive string", j("{'credentials':{" + UP + ",'password':'x','interactive_session':'yes'}}"),
                "invalid_argument",
                "credentials.interactive_session.not_boolean [credentials.interactive_session] Field 'credentials.interactive_session' must be true or false."));
        cases.add(c("password interactive number", j("{'credentials':{" + UP + ",'password':'x','interactive_session':1}}"),
                "invalid_argument",
                "credentials.interactive_session.not_boolean [credentials.interactive_session] Field 'credentials.interactive_session' must be true or false."));
        cases.add(c("password user number, interactive string", j("{'credentials':{" + UP + ",'user_name':5,'password':'vmware','interactive_session':'yes'}}"),
                "invalid_argument",
                "credentials.user_name.not_string [credentials.user_name] Field 'credentials.user_name' must be a string.",
                "credentials.interactive_session.not_boolean [credentials.interactive_session] Field 'credentials.interactive_session' must be true or false."));
        cases.add(c("password: all wrong", j("{'credentials':{" + UP + ",'user_name':[],'saml_token':[],'interactive_session':{}}}"),
                "invalid_argument",
                "credentials.user_name.not_string [credentials.user_name] Field 'credentials.user_name' must be a string.",
                "credentials.saml_token.not_string [credentials.saml_token] Field 'credentials.saml_token' must be a string.",
                "credentials.interactive_session.not_boolean [credentials.interactive_session] Field 'credentials.interactive_session' must be true or false.",
                "credentials.password.required [credentials.password] Field 'credentials.password' is required when 'credentials.type' is USERNAME_PASSWORD.",
                "credentials.saml_token.not_allowed [credentials.saml_token] Field 'credentials.saml_token' must not be set when 'credentials.type' is USERNAME_PASSWORD."));

        // SAML_BEARER_TOKEN
        cases.add(c("token absent", j("{'credentials':{" + SAML + ",'user_name':'root'}}"),
                "invalid_argument",
                "credentials.saml_token.required [credentials.saml_token] Field 'credentials.saml_token' is required when 'credentials.type' is SAML_BEARER_TOKEN."));
        cases.add(c("token empty", j("{'credentials':{" + SAML + ",'saml_token':''}}"),
                "invalid_argument",
                "credentials.saml_token.required [credentials.saml_token] Field 'credentials.saml_token' is required when 'credentials.type' is SAML_BEARER_TOKEN."));
        cases.add(c("token null", j("{'credentials':{" + SAML + ",'saml_token':null}}"),
                "invalid_argument",
                "credentials.saml_token.required [credentials.saml_token] Field 'credentials.saml_token' is required when 'credentials.type' is SAML_BEARER_TOKEN."));
        cases.add(c("token number", j("{'credentials':{" + SAML + ",'saml_token':5}}"),
                "invalid_argument",
                "credentials.saml_token.not_string [credentials.saml_token] Field 'credentials.saml_token' must be a string."));
        cases.add(c("token with password", j("{'credentials':{" + SAML + ",'saml_token':'t','password':'vmware'}}"),
                "invalid_argument",
                "credentials.password.not_allowed [credentials.password] Field 'credentials.password' must not be set when 'credentials.type' is SAML_BEARER_TOKEN."));
        cases.add(c("token with empty password", j("{'credentials':{" + SAML + ",'saml_token':'t','password':''}}"),
                "invalid_argument",
                "credentials.password.not_allowed [credentials.password] Field 'credentials.password' must not be set when 'credentials.type' is SAML_BEARER_TOKEN."));
        cases.add(c("token with password number", j("{'credentials':{" + SAML + ",'saml_token':'t','password':5}}"),
                "invalid_argument",
                "credentials.password.not_string [credentials.password] Field 'credentials.password' must be a string.",
                "credentials.password.not_allowed [credentials.password] Field 'credentials.password' must not be set when 'credentials.type' is SAML_BEARER_TOKEN."));
        cases.add(c("token interactive", j("{'credentials':{" + SAML + ",'saml_token':'t','interactive_session':true}}"),
                "invalid_argument",
                "credentials.interactive_session.not_allowed [credentials.interactive_session] Field 'credentials.interactive_session' may be true only when 'credentials.type' is USERNAME_PASSWORD."));
        cases.add(c("token interactive string", j("{'credentials':{" + SAML + ",'saml_token':'t','interactive_session':'true'}}"),
                "invalid_argument",
                "credentials.interactive_session.not_boolean [credentials.interactive_session] Field 'credentials.interactive_session' must be true or false."));
        cases.add(c("token user number", j("{'credentials':{" + SAML + ",'saml_token':'t','user_name':5}}"),
                "invalid_argument",
                "credentials.user_name.not_string [credentials.user_name] Field 'credentials.user_name' must be a string."));
        cases.add(c("token: everything wrong", j("{'credentials':{" + SAML + ",'password':'x','interactive_session':true}}"),
                "invalid_argument",
                "credentials.saml_token.required [credentials.saml_token] Field 'credentials.saml_token' is required when 'credentials.type' is SAML_BEARER_TOKEN.",
                "credentials.password.not_allowed [credentials.password] Field 'credentials.password' must not be set when 'credentials.type' is SAML_BEARER_TOKEN.",
                "credentials.interactive_session.not_allowed [credentials.interactive_session] Field 'credentials.interactive_session' may be true only when 'credentials.type' is USERNAME_PASSWORD."));
        cases.add(c("token: everything wrong, types too", j("{'credentials':{" + SAML + ",'user_name':1,'saml_token':2,'password':3,'interactive_session':4}}"),
                "invalid_argument",
                "credentials.user_name.not_string [credentials.user_name] Field 'credentials.user_name' must be a string.",
                "credentials.password.not_string [credentials.password] Field 'credentials.password' must be a string.",
                "credentials.saml_token.not_string [credentials.saml_token] Field 'credentials.saml_token' must be a string.",
                "credentials.interactive_session.not_boolean [credentials.interactive_session] Field 'credentials.interactive_session' must be true or false.",
                "credentials.password.not_allowed [credentials.password] Field 'credentials.password' must not be set when 'credentials.type' is SAML_BEARER_TOKEN."));

        // malformed
        cases.add(c("open brace", j("{"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 2."));
        cases.add(c("close brace", j("}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 1."));
        cases.add(c("name only", j("{'credentials'"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 15."));
        cases.add(c("colon only", j("{'credentials':"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 16."));
        cases.add(c("credentials open", j("{'credentials':{"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 17."));
        cases.add(c("credentials unclosed", j("{'credentials':{" + UP + ",'password':'x'}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 59."));
        cases.add(c("extra close", j(VALID + "}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 84."));
        cases.add(c("bad array in unknown field", j("{'a':[1,2},'credentials':{" + UP + ",'password':'x'}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 10."));
        cases.add(c("bad literal in unknown field", j("{'credentials':{" + UP + ",'password':'x'},'a':{'b':tru}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 69."));
        cases.add(c("bad literal in unknown credentials field", j("{'credentials':{" + UP + ",'password':'x','a':[nul]}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 64."));
        cases.add(c("unterminated string", j("{'a':'unterminated}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 20."));
        cases.add(c("array open after element", j("[1,"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 4."));
        cases.add(c("array trailing comma", j("[1,]"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 4."));
        cases.add(c("bad after non-object root", j("['a',{'b':}]"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 11."));
        cases.add(c("bad inside credentials string", j("{'credentials':'x' ,}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 21."));
        cases.add(c("bad inside credentials array", j("{'credentials':[1,}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 19."));
        cases.add(c("root trailing comma", j("{'credentials':{" + UP + ",'password':'x'},}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 60."));
        cases.add(c("credentials trailing comma, multi-line", j("{\n  'credentials': {\n    " + UP + ",\n    'password': 'x',\n  }\n}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 5, column 3."));
        cases.add(c("semantic problems, then malformed", j("{'credentials':{'type':7},'a':}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 31."));
        cases.add(c("no credentials, then malformed", j("{'x':1, }"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 9."));
        cases.add(c("single quotes", raw("{'credentials':{}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 2."));
        cases.add(c("comment", raw("/* c */ {}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 1."));
        cases.add(c("unquoted name", raw("{credentials:{}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 2."));
        cases.add(c("NaN", raw("{\"a\":NaN}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 9."));
        cases.add(c("leading zero", raw("{\"a\":01}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 7."));
        cases.add(c("plus sign", raw("{\"a\":+1}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 7."));
        cases.add(c("bare minus", raw("{\"a\":-}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 7."));
        cases.add(c("control character in string", raw("{\"a\":\"x\u0001y\"}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 8."));
        cases.add(c("control character in password", raw("{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"password\":\"se\ncret\"}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 58."));
        cases.add(c("bad escape", raw("{\"a\":\"\\q\"}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 8."));
        cases.add(c("bad unicode escape in password", raw("{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"password\":\"\\u12x4\"}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 60."));
        cases.add(c("invalid UTF-8 in unknown value", utf8WithByte("{\"a\":\"x", 0xff, "\",\"credentials\":{}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 9."));
        cases.add(c("invalid UTF-8 in password", utf8WithByte("{\"credentials\":{\"type\":\"USERNAME_PASSWORD\",\"password\":\"x", 0x80, "\"}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 58."));
        cases.add(c("truncated UTF-8 in unknown value", utf8WithByte("{\"a\":\"x", 0xc3, "\",\"credentials\":{}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 10."));
        cases.add(c("invalid UTF-8 in a name", utf8WithByte("{\"a", 0xfe, "\":1}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 6."));
        cases.add(c("NUL in body", raw("{\"a\":1}\u0000"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 9."));
        cases.add(c("UTF-32 beyond U+10FFFF", utf32BeWithUnit("{\"a\":\"", 0x0011_0000, "\"}"),
                "invalid_argument",
                "body.malformed [body] The request body could not be read as JSON."));
        cases.add(c("UTF-32 surrogate", utf32BeWithUnit("{\"credentials\":{\"password\":\"", 0xd800, "\"}}"),
                "invalid_argument",
                "credentials.type.required [credentials.type] Field 'credentials.type' is required."));
        cases.add(c("UTF-32 cut short", Arrays.copyOf(json(VALID).getBytes(Charset.forName("UTF-32BE")), 4 * 20 + 2),
                "invalid_argument",
                "body.malformed [body] The request body could not be read as JSON."));
        cases.add(c("UTF-16 unpaired surrogate", utf16BeWithUnit("{\"a\":\"", 0xdc00, "\"}"),
                "invalid_argument",
                "credentials.required [credentials] Field 'credentials' is required."));

        // trailing tokens
        cases.add(c("two objects", j("{} {}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 4."));
        cases.add(c("valid, then garbage", j(VALID + " x"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 85."));
        cases.add(c("valid, then object", j(VALID + "\n{}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 2, column 1."));
        cases.add(c("valid, then number", j(VALID + " 1"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 85."));
        cases.add(c("null, then garbage", j("null x"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 6."));
        cases.add(c("null, then null", j("null null"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 6."));
        cases.add(c("number, then number", j("1 2"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 3."));
        cases.add(c("string, then name", j("'x' y"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 5."));
        cases.add(c("true false", j("true false"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 6."));
        cases.add(c("array, then array", j("[]\n\n  []"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 3, column 3."));

        // duplicate keys
        cases.add(c("duplicate at root", j("{'credentials':{" + UP + ",'password':'x'},'credentials':{}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 73."));
        cases.add(c("duplicate unknown at root", j("{'a':1,'credentials':{" + UP + ",'password':'x'},'a':2}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 69."));
        cases.add(c("duplicate in credentials", j("{'credentials':{'type':'A','type':'B'}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 34."));
        cases.add(c("duplicate password", j("{'credentials':{" + UP + ",'password':'x','password':'y'}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 69."));
        cases.add(c("duplicate in nested unknown", j("{'a':{'b':1,'b':2},'credentials':{" + UP + ",'password':'x'}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 16."));
        cases.add(c("duplicate in array in unknown", j("{'credentials':{" + UP + ",'password':'x','z':[{'b':1,'b':2}]}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 74."));
        cases.add(c("duplicate in array root", j("[{'a':1,'a':1}]"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 12."));
        cases.add(c("duplicate in credentials array", j("{'credentials':[{'a':1,'a':1}]}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON at line 1, column 27."));

        // limits
        cases.add(c("nesting 65 deep in unknown field", j("{'credentials':{" + UP + ",'password':'x'},'a':" + "[".repeat(64) + "]".repeat(64) + "}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON."));
        cases.add(c("nesting 65 deep in credentials", j("{'credentials':{" + UP + ",'password':'x','o':" + "{'o':".repeat(63) + "1" + "}".repeat(63) + "}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON."));
        cases.add(c("nesting 65 deep array root", j("[".repeat(65) + "]".repeat(65)),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON."));
        cases.add(c("nesting 65 deep, unclosed", j("[".repeat(65)),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON."));
        cases.add(c("101-digit number in unknown field", j("{'a':" + "1".repeat(101) + ",'credentials':{" + UP + ",'password':'x'}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON."));
        cases.add(c("101-digit number in array in unknown field", j("{'credentials':{" + UP + ",'password':'x'},'a':[0," + "9".repeat(101) + "]}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON."));
        cases.add(c("101-digit negative number", j("{'a':-" + "1".repeat(101) + "}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON."));
        cases.add(c("101-character float", j("{'a':1." + "1".repeat(100) + "}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON."));
        cases.add(c("101-digit number as password", j("{'credentials':{" + UP + ",'password':" + "1".repeat(101) + "}}"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON."));
        cases.add(c("101-digit number root", j("1".repeat(101)),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON."));
        cases.add(c("101-digit number after non-object root", j("[1," + "1".repeat(101) + "]"),
                "invalid_argument",
                "body.malformed [body] The request body is not valid JSON."));
        cases.add(c("huge exponent", j("{'a':1e999999,'credentials':{" + UP + ",'password':'x'}}"),
                "USERNAME_PASSWORD user=null password=x interactive=false"));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodies")
    void answersAsPinned(String name, byte[] body, List<String> expected) {
        assertThat(outcome(body)).as(name).containsExactlyElementsOf(expected);
    }

    /** The parser's answer for a body on an otherwise valid request: the credentials read, or every violation. */
    static List<String> outcome(byte[] body) {
        try {
            TerminateCommand command = TerminateRequestParser.parse("vm-1", "1000", List.of("delete"), "application/json", null, body);
            return List.of(describe(command.credentials()));
        } catch (VapiException e) {
            List<String> lines = new ArrayList<>();
            lines.add(e.type().wireName());
            for (VapiMessage m : e.error().messages()) {
                lines.add(describe(m));
            }
            return lines;
        }
    }

    static String describe(GuestCredentials credentials) {
        if (credentials instanceof GuestCredentials.UsernamePassword up) {
            return "USERNAME_PASSWORD user=" + up.user() + " password=" + up.password().reveal()
                    + " interactive=" + up.interactiveSession();
        }
        GuestCredentials.SamlBearerToken saml = (GuestCredentials.SamlBearerToken) credentials;
        return "SAML_BEARER_TOKEN user=" + saml.user() + " token=" + saml.token().reveal();
    }

    static String describe(VapiMessage m) {
        String id = m.id().startsWith(GatewayMessages.VALIDATION) ? m.id().substring(GatewayMessages.VALIDATION.length()) : "!" + m.id();
        return id + " " + m.args() + " " + m.defaultMessage();
    }

    private static Arguments c(String name, byte[] body, String... expected) {
        return Arguments.of(name, body, List.of(expected));
    }

    /** JSON written with ' for " so that it stays readable. */
    private static String json(String text) {
        return text.replace('\'', '"');
    }

    private static byte[] j(String text) {
        return json(text).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] raw(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] utf8WithByte(String before, int b, String after) {
        byte[] head = raw(before);
        byte[] tail = raw(after);
        byte[] all = new byte[head.length + 1 + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        all[head.length] = (byte) b;
        System.arraycopy(tail, 0, all, head.length + 1, tail.length);
        return all;
    }

    /** UTF-32BE text with one code unit that is not a character in the middle. */
    private static byte[] utf32BeWithUnit(String before, int unit, String after) {
        ByteBuffer all = ByteBuffer.allocate(4 * (before.length() + 1 + after.length()));
        all.put(before.getBytes(Charset.forName("UTF-32BE"))).putInt(unit).put(after.getBytes(Charset.forName("UTF-32BE")));
        return all.array();
    }

    /** UTF-16BE text with one code unit in the middle, as it is. */
    private static byte[] utf16BeWithUnit(String before, int unit, String after) {
        ByteBuffer all = ByteBuffer.allocate(2 * (before.length() + 1 + after.length()));
        all.put(before.getBytes(StandardCharsets.UTF_16BE)).putChar((char) unit).put(after.getBytes(StandardCharsets.UTF_16BE));
        return all.array();
    }
}
